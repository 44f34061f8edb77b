import type { Incident } from "../types.js";

/** The journal's fields, in the journal's order (docs/journal.md, "Format"). */
const INCIDENT_FIELDS: ReadonlyArray<keyof Incident> = [
  "timestamp", "modelo", "video", "error_type", "error_message", "accion", "estado", "intento", "max_intentos", "id",
  "fuente", "archivo", "severidad", "campos", "ocurrencias", "ultima_ocurrencia", "clave", "transiciones", "resuelto",
  "duracion_ms",
];

/**
 * A copy of the incident with exactly the journal's fields, for the webhook: the incident manager's objects carry
 * private bookkeeping (file positions) that is not part of the contract.
 */
export function toIncidentRecord(incident: Incident): Incident {
  const out: Record<string, unknown> = {};
  for (const field of INCIDENT_FIELDS) out[field] = incident[field];
  return out as unknown as Incident;
}
