import { Observable, type OperatorFunction } from "rxjs";
import type { MatchedBatch } from "../types.js";
import type { IncidentChange } from "./incident-change.js";
import type { IncidentManager } from "./incident-manager.js";

/**
 * Pipeline stage: matched batches in, the incident manager's decisions out. Each batch is handed whole to the
 * manager (it needs the unmatched events too: `resolve_on` lines, the replay guard); what comes out is every change
 * the manager publishes while subscribed, including those that other inputs of the manager cause (a remediation step,
 * a seed from the journal). The output completes when the manager shuts down, not when the batches end: remediation
 * in progress still changes incidents after the last line.
 */
export function foldIntoIncidents(manager: IncidentManager): OperatorFunction<MatchedBatch, IncidentChange> {
  return (batches$) =>
    new Observable<IncidentChange>((subscriber) => {
      const changes = manager.changes$.subscribe(subscriber);
      const inputs = batches$.subscribe({
        next: (batch) => manager.handleBatch(batch.events, batch.matches),
        error: (error: unknown) => subscriber.error(error),
      });
      return () => {
        inputs.unsubscribe();
        changes.unsubscribe();
      };
    });
}
