import type { VerifySpec } from "../../types.js";
import type { RemediationContext } from "../remediation-context.js";

/** The answer of one check. */
export interface CheckAnswer {
  ok: boolean;
  /** Why not (or a measurement when ok: `HTTP 200`, `12.3 GB libres`), for the journal. */
  detalle: string | null;
  /** `detalle` in English, for vigia's own log (`12.3 GB free`). */
  message: string | null;
}

/** A verification resolved and checked, ready to run. */
interface PlannedCheck {
  /** Human text for the journal: `existe modelos/ana`, `GET http://127.0.0.1:8081/ → 2xx/3xx`. */
  descripcion: string;
  /** The same in English, for vigia's own log: `modelos/ana exists`. */
  description: string;
  /** Only reads state; false for commands, which dry-run must not start. */
  readOnly: boolean;
  check(): Promise<CheckAnswer>;
}

/** One verification type. `plan` fills templates, validates options and guards paths; it touches nothing. */
export interface VerifyHandler {
  readonly type: VerifySpec["type"];
  plan(spec: VerifySpec, fields: Readonly<Record<string, string>>, ctx: RemediationContext): Promise<PlannedCheck>;
}
