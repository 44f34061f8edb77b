import type { CheckResult } from "../types.js";
import type { IncidentInput } from "../incidents/incident-input.js";
import { fromCheckTransition, type CheckIncidentContext } from "./check-incidents.js";

/**
 * A fault of vigia itself that the admin must hear about (the journal cannot be written, a rule was
 * disabled): opened as a check-style incident, so it is alerted, shown and closed like any failed check.
 */
export interface VigiaFault {
  /** What failed, as a check name: `journal`, `rule:timeout`. One open incident per name. */
  name: string;
  /** The journal's error_type: `diario_no_escribible`, `regla_desactivada`. */
  errorType: string;
  /** For the admin, in Spanish (the journal's text); monitor.log has its own English line, written by the caller. */
  motivo: string;
  fields?: Record<string, string>;
}

/** The inputs that open (or fold into) the incident of `fault`. */
export function reportVigiaFault(fault: VigiaFault, context: CheckIncidentContext, nowMs = Date.now()): IncidentInput[] {
  const check = `vigia:${fault.name}`;
  const result: CheckResult = {
    check,
    kind: "vigia",
    ok: false,
    severity: "critical",
    errorType: fault.errorType,
    message: `vigia ${fault.name}: failed`,
    motivo: fault.motivo,
    durationMs: 0,
    fields: { ...fault.fields },
    atMs: nowMs,
  };
  return fromCheckTransition({ check, state: "down", result }, context);
}

/** The input that closes the incident of the fault `name` as solucionado (moot when none is open). */
export function resolveVigiaFault(name: string, detalle: string, message: string): IncidentInput {
  return { type: "close", key: `check:vigia:${name}`, estado: "solucionado", accion: "recuperado", detalle, message };
}
