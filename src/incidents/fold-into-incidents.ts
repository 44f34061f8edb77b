import { tap, type MonoTypeOperatorFunction } from "rxjs";
import type { MatchedBatch } from "../types.js";
import type { IncidentManager } from "./incident-manager.js";

/**
 * Pipeline stage: hands each batch to the incident manager and passes it on. The manager needs the unmatched
 * events too (`resolve_on` lines, the replay guard), which is why this takes whole batches and not matches only.
 */
export function foldIntoIncidents(manager: IncidentManager): MonoTypeOperatorFunction<MatchedBatch> {
  return tap((batch) => manager.handleBatch(batch.events, batch.matches));
}
