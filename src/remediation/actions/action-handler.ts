import type { ActionSpec } from "../../types.js";
import type { RemediationContext } from "../remediation-context.js";

/** What an action did when it succeeded (failures are thrown and turned into data by runAction). */
export interface ActionEffect {
  /** A note for the journal (`"ya existía"`, `"3 archivos, 1.2 GB liberados"`); null when the accion says it all. */
  detalle?: string | null;
  exitCode?: number;
  freedBytes?: number;
}

/** An action resolved and checked, ready to run: its text is known before anything is touched (and for dry-run). */
export interface PlannedAction {
  /** Human text for the journal, shell-like: `mkdir -p modelos/ana`. */
  accion: string;
  /** The action enforces its own timeout (it runs a command and kills it); others are raced against a timer. */
  ownsTimeout?: boolean;
  execute(): Promise<ActionEffect>;
}

/** One action type. `plan` fills templates, validates options and passes paths through the guard; it touches nothing. */
export interface ActionHandler {
  readonly type: ActionSpec["type"];
  /** The main option, shown in messages when planning fails (`path`, `dir`, `command`). */
  readonly mainOption: string | null;
  plan(spec: ActionSpec, fields: Readonly<Record<string, string>>, ctx: RemediationContext): Promise<PlannedAction>;
}
