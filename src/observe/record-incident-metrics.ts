import type { Observable, Subscription } from "rxjs";
import type { IncidentChange } from "../incidents/incident-change.js";
import { ESTADOS, TERMINAL_STATES, type Estado } from "../types.js";
import type { VigiaMetrics } from "./metrics.js";

/** The estados an open incident can be in: the labels of the open-incidents gauge. */
const OPEN_ESTADOS: readonly Estado[] = ESTADOS.filter((estado) => !TERMINAL_STATES.includes(estado));

/** Sets the series of one error type (a rule id, a check's error type) to 0 before its first incident. */
export function initialiseErrorTypeSeries(metrics: VigiaMetrics, errorType: string): void {
  if (metrics.knownErrorTypes.has(errorType)) return;
  metrics.knownErrorTypes.add(errorType);
  for (const estado of ESTADOS) metrics.incidentTransitions.inc({ error_type: errorType, estado }, 0);
}

/**
 * Counts one change of the incident stream: an incident opened is its move into `detectado`; a transition counts
 * only when the estado changes (a second retry, or a note, stays in `reintentando`); a match held by a threshold
 * is counted for its rule.
 */
function observeIncidentChange(metrics: VigiaMetrics, change: IncidentChange): void {
  switch (change.type) {
    case "opened":
      metrics.incidentTransitions.inc({ error_type: change.incident.error_type, estado: change.incident.estado });
      break;
    case "transition":
      if (change.previous !== change.incident.estado) {
        metrics.incidentTransitions.inc({ error_type: change.incident.error_type, estado: change.incident.estado });
      }
      break;
    case "counted":
      metrics.thresholdHeldMatches.inc({ rule: change.rule.id });
      break;
    default:
      break;
  }
}

/** Feeds the incident stream into the metrics; unsubscribe to stop. */
export function recordIncidentMetrics(changes$: Observable<IncidentChange>, metrics: VigiaMetrics): Subscription {
  return changes$.subscribe((change) => observeIncidentChange(metrics, change));
}

/** Makes the open-incidents gauge read the incidents open at each scrape; known error types show 0 when none is. */
export function trackOpenIncidents(metrics: VigiaMetrics, listOpen: () => Iterable<{ error_type: string; estado: Estado }>): void {
  metrics.readOnScrape(metrics.openIncidents, (gauge) => {
    gauge.reset();
    for (const errorType of metrics.knownErrorTypes) for (const estado of OPEN_ESTADOS) gauge.set({ error_type: errorType, estado }, 0);
    for (const incident of listOpen()) gauge.inc({ error_type: incident.error_type, estado: incident.estado });
  });
}

/** Makes the held-incidents and incident-time gauges read the incident manager at each scrape. */
export function trackHeldIncidents(metrics: VigiaMetrics, manager: { getSizes(): { incidents: number }; getLagMs(): number }): void {
  metrics.readOnScrape(metrics.incidentsHeld, (gauge) => gauge.set(manager.getSizes().incidents));
  metrics.readOnScrape(metrics.incidentTimeLag, (gauge) => gauge.set(manager.getLagMs() / 1000));
}
