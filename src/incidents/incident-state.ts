import { TERMINAL_STATES, type Estado, type Incident, type Transicion } from "../types.js";
import { formatLocalIso } from "./format-local-iso.js";

/**
 * The incident lifecycle. `detectado` is where every incident starts; `pendiente` waits (queued, or for a root
 * cause); `reintentando` is an attempt in progress and may repeat for the next attempt; `solucionado` and
 * `fallido` are final: a problem that comes back after its cooldown is a new incident, never a reopened record.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<Estado, readonly Estado[]>> = {
  detectado: ["pendiente", "reintentando", "solucionado", "fallido"],
  pendiente: ["reintentando", "solucionado", "fallido"],
  reintentando: ["reintentando", "pendiente", "solucionado", "fallido"],
  solucionado: [],
  fallido: [],
};

/** What a transition records besides the new state. */
export interface TransitionInfo {
  /** Human-readable action (`"mkdir -p modelos/ana"`, `"reintento 2/3"`); becomes the incident's `accion`. Omitted: unchanged. */
  accion?: string | null;
  /** Attempt number; omitted: unchanged. */
  intento?: number;
  /** Why: an exit code, an error, the line that resolved it, the root cause. */
  detalle?: string | null;
  /**
   * The step in English, for vigia's own log (`accion` and `detalle` are the admin's Spanish, in the journal);
   * never written to the journal. Omitted: the log names the state only.
   */
  message?: string | null;
  /**
   * When the step happened on incident time, if not now: a remediation attempt's due time. Used during a catch-up
   * (see IncidentManager), where an attempt belongs to the log time it was due at, however long it took to run.
   */
  atMs?: number;
}

/** A transition the lifecycle forbids (from a final state, or skipping back to `detectado`). */
export class InvalidTransitionError extends Error {
  constructor(
    readonly incidentId: string,
    readonly from: Estado,
    readonly to: Estado,
  ) {
    super(`incident ${incidentId}: transition ${from} → ${to} is not allowed`);
    this.name = "InvalidTransitionError";
  }
}

/** True for `solucionado` and `fallido`. */
export function isTerminal(estado: Estado): boolean {
  return TERMINAL_STATES.includes(estado);
}

/** Whether the lifecycle allows going from `from` to `to`. */
export function canTransition(from: Estado, to: Estado): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * Returns a new incident moved to `estado`, with the transition appended to `transiciones`; on a final state it
 * also sets `resuelto` and `duracion_ms` (from the detection `timestamp`). The input is never modified.
 */
export function applyTransition<T extends Incident>(incident: T, estado: Estado, info: TransitionInfo, nowMs: number): T {
  if (!canTransition(incident.estado, estado)) throw new InvalidTransitionError(incident.id, incident.estado, estado);
  const timestamp = formatLocalIso(nowMs);
  const accion = info.accion !== undefined ? info.accion : incident.accion;
  const intento = info.intento ?? incident.intento;
  const transicion: Transicion = {
    estado,
    timestamp,
    accion: info.accion ?? null,
    intento,
    detalle: info.detalle ?? null,
  };
  const next: T = { ...incident, estado, accion, intento, transiciones: [...incident.transiciones, transicion] };
  if (isTerminal(estado)) {
    const detectedMs = Date.parse(incident.timestamp);
    next.resuelto = timestamp;
    next.duracion_ms = Number.isNaN(detectedMs) ? null : Math.max(0, nowMs - detectedMs);
  }
  return next;
}

/**
 * Returns a new incident with a note in `transiciones` and no change of state: another source saw the same
 * problem (the log and a periodic check, one outage). `accion` of the incident itself is left as it was.
 */
export function appendNote<T extends Incident>(incident: T, info: Pick<TransitionInfo, "detalle"> & { accion: string }, nowMs: number): T {
  const transicion: Transicion = {
    estado: incident.estado,
    timestamp: formatLocalIso(nowMs),
    accion: info.accion,
    intento: incident.intento,
    detalle: info.detalle ?? null,
  };
  return { ...incident, transiciones: [...incident.transiciones, transicion] };
}
