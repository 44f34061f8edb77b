import type { Incident } from "../types.js";

/** Prefix the executor writes in `detalle` when an incident is closed because its root cause failed. */
const ROOT_CAUSE_PREFIX = "causa raíz:";

/** The root incident named by `"causa raíz: servidor_caido <id>"`. */
export interface RootCauseRef {
  /** Rule id of the root incident (`servidor_caido`); may be empty if the detalle does not say. */
  errorType: string;
  /** Id of the root incident, or the whole detalle text when it has no recognisable id. */
  incidentId: string;
}

/**
 * The root cause of an incident closed `fallido` because of it, or null: the root incident when the change carries
 * it, else what the last transition's `detalle` says (`"causa raíz: servidor_caido <id>"`).
 */
export function findRootCause(incident: Incident, rootIncident?: Incident | null): RootCauseRef | null {
  if (incident.estado !== "fallido") return null;
  if (rootIncident) return { errorType: rootIncident.error_type, incidentId: rootIncident.id };
  const last = incident.transiciones[incident.transiciones.length - 1];
  const detalle = last?.detalle?.trim();
  if (!detalle || !detalle.toLowerCase().startsWith(ROOT_CAUSE_PREFIX)) return null;
  const rest = detalle.slice(ROOT_CAUSE_PREFIX.length).trim();
  const [errorType = "", incidentId] = rest.split(/\s+/, 2);
  return incidentId ? { errorType, incidentId } : { errorType: "", incidentId: rest || "?" };
}
