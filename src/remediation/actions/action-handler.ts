import type { ActionSpec } from "../../types.js";
import type { RemediationContext } from "../remediation-context.js";

/**
 * A note on what an action did, in both voices: `detalle` for the journal (`"ya existía"`, `"3 archivos, 1.2 GB
 * liberados"`), `message` for vigia's own log (`"already existed"`). Neither when the accion says it all.
 */
type EffectNote = { detalle?: null; message?: null } | { detalle: string; message: string };

/** What an action did when it succeeded (failures are thrown and turned into data by runAction). */
type ActionEffect = EffectNote & {
  exitCode?: number;
  freedBytes?: number;
  /**
   * What the action achieved, for the incident's final `accion` when the rule then waits for resolve_on in vain
   * (`"archivo eliminado"`, `"el archivo ya no existía"`).
   */
  summary?: string;
};

/** An action resolved and checked, ready to run: its text is known before anything is touched (and for dry-run). */
interface PlannedAction {
  /** Human text for the journal, shell-like: `mkdir -p modelos/ana`. */
  accion: string;
  /** The same for vigia's own log, in English (most `accion`s are a command line already: then the same text). */
  command: string;
  /** The action enforces its own timeout (it runs a command and kills it); others are raced against a timer. */
  ownsTimeout?: boolean;
  execute(): Promise<ActionEffect>;
}

/** One action type. `plan` fills templates, validates options and passes paths through the guard; it touches nothing. */
export interface ActionHandler {
  readonly type: ActionSpec["type"];
  /**
   * Runs until it succeeds once per incident; later retries skip it. For cleanup: after the corrupt file is gone,
   * what appears at its path is the new download, which a retry must not delete.
   */
  readonly once?: boolean;
  /** What should come after it, said when it did not come (`"una nueva descarga"`). */
  readonly awaits?: string;
  /** The main option, shown in messages when planning fails (`path`, `dir`, `command`). */
  readonly mainOption: string | null;
  plan(spec: ActionSpec, fields: Readonly<Record<string, string>>, ctx: RemediationContext): Promise<PlannedAction>;
}
