import { concatMap, map, type OperatorFunction } from "rxjs";
import type { LogEvent, MatchedBatch } from "../types.js";
import type { RuleMatchWorker } from "./rule-match-worker.js";

/**
 * Pipeline stage: batches of events in, each batch with its matches out, in order. Matching runs in the
 * worker thread of `worker` (interruptible, see RuleMatchWorker). Every batch is handed to the worker as
 * soon as it arrives, so the worker never waits for the main thread to consume the previous answer;
 * `concatMap` only restores the order of the answers.
 */
export function matchRulesInWorker(worker: RuleMatchWorker): OperatorFunction<LogEvent[], MatchedBatch> {
  return (source) =>
    source.pipe(
      map((events) => worker.match(events)),
      concatMap((answer) => answer),
    );
}
