import type { Observable, Subscription } from "rxjs";
import type { IncidentChange } from "../incidents/incident-change.js";
import type { IncidentManager } from "../incidents/incident-manager.js";
import type { VigiaLogger } from "../observe/logger.js";
import type { Executor } from "../remediation/index.js";
import type { OutageKeys } from "./outage-keys.js";

export interface RemediateIncidentsOptions {
  executor: Executor;
  /** Where the executor's steps are recorded. */
  manager: IncidentManager;
  /** `{config.NAME}` values for action and verify templates; an incident's own fields win over them. */
  configValues: Readonly<Record<string, string>>;
  outageKeys: OutageKeys;
  logger: VigiaLogger;
}

/**
 * The executor's side of the incident stream: each `remediate` request is submitted (its steps recorded on the
 * incident until the manager aborts the request's signal), each `reverify` is answered with the rule's verify.
 * Unsubscribe to stop taking requests.
 */
export function remediateIncidents(changes$: Observable<IncidentChange>, options: RemediateIncidentsOptions): Subscription {
  const { executor, manager, configValues, outageKeys, logger } = options;
  return changes$.subscribe((change) => {
    if (change.type === "reverify") {
      const { request } = change;
      executor.reverify(request.rule, { ...configValues, ...request.match.fields }).then(
        (ok) => request.settle(ok),
        () => request.settle(true),
      );
      return;
    }
    if (change.type !== "remediate") return;
    const { incident, rule, signal } = change.request;
    // A full disk's incident taken up from the journal stays the disk check's: a verify must not close it while
    // the check still says full.
    if (outageKeys.isCheckOwned(incident)) return;
    try {
      void executor.submit({
        incident,
        rule,
        fields: { ...configValues, ...incident.campos },
        startAttempt: incident.intento,
        signal,
        report: (step) => {
          if (signal.aborted) return;
          try {
            manager.transition(incident.id, step.estado, step);
          } catch (error) {
            logger.warn(`remediation of ${incident.id}: ${(error as Error).message}`);
          }
        },
      });
    } catch (error) {
      logger.warn(`incidents: remediation handler failed for ${incident.id}: ${(error as Error).message}`);
    }
  });
}
