import { catchError, EMPTY, merge, share, tap, type Observable } from "rxjs";
import type { MultilineOperator } from "../events/group-multiline.js";
import { FoldBacklog, foldIntoIncidents } from "../incidents/fold-into-incidents.js";
import type { IncidentChange } from "../incidents/incident-change.js";
import type { IncidentInput } from "../incidents/incident-input.js";
import type { IncidentManager } from "../incidents/incident-manager.js";
import { matchRulesInWorker } from "../rules/match-rules-in-worker.js";
import type { RuleMatchWorker } from "../rules/rule-match-worker.js";
import type { StageCount } from "../observe/pipeline-watch.js";
import type { LogEvent, MatchedBatch, SourceLine } from "../types.js";
import { correlateOutages } from "./correlate-outages.js";
import type { OutageKeys } from "./outage-keys.js";

/** The stages the pipeline runs through, built by the engine from the config (by a test from its own parts). */
export interface PipelineStages {
  /** Sees every batch of lines as read (counts, the activity a silence check watches). */
  countLines(lines: SourceLine[]): void;
  grouper: MultilineOperator;
  /** Sees every batch of events before matching: the worker hands back only the events downstream needs. */
  countEvents(events: LogEvent[]): void;
  /**
   * Masks secrets in every event before matching it (see RuleMatchWorkerOptions.maskSecrets) and hands back only
   * the events downstream needs: nothing after it ever holds a secret of a line.
   */
  matchWorker: RuleMatchWorker;
  outageKeys: OutageKeys;
  /** A check that should look at once: a log line reported the outage it watches. */
  askCheck(checkId: string): void;
  manager: IncidentManager;
  /** Every input that reached the incident manager has been folded (during a catch-up, a batch may wait for its log time). */
  onFoldIdle?(): void;
  /** A stage threw: the lines stop there (they were never expected to, so this is a bug to log). */
  onError(error: Error): void;
}

/** The composed pipeline: subscribe to `changes$` (journal, notifier, metrics, executor) before lines arrive. */
export interface Pipeline {
  /** Events with their rule matches; completes after the last line's events went through matching. */
  matched$: Observable<MatchedBatch>;
  /** Every decision of the incident manager; completes when the manager shuts down. */
  changes$: Observable<IncidentChange>;
  /**
   * What the stages between reading and the journal took in and handed on so far: lines into and out of the grouper,
   * events into and out of matching, inputs into and out of the incident manager.
   */
  countStages(): StageCount[];
  /** What the incident stage has taken in and not handled yet (checkpoints stay before it; a stop may leave it). */
  foldBacklog: FoldBacklog;
}

/**
 * `lines$ → groupMultiline → matchRulesInWorker (secrets masked, then rules) → correlateOutages → foldIntoIncidents`, with
 * `checks$` (verdicts of periodic checks, a supervised process, vigia's own faults) folded into the same incidents.
 * Both outputs are shared: each stage runs once per batch however many subscribe.
 */
export function composePipeline(lines$: Observable<SourceLine[]>, checks$: Observable<IncidentInput>, stages: PipelineStages): Pipeline {
  const count = { groupIn: 0, groupOut: 0, matchIn: 0, matchOut: 0, foldIn: 0, foldOut: 0 };
  const matched$ = lines$.pipe(
    tap((lines) => {
      stages.countLines(lines);
      count.groupIn += lines.length;
    }),
    stages.grouper,
    tap((events) => {
      for (const event of events) count.groupOut += event.lineCount;
      count.matchIn += events.length;
      stages.countEvents(events);
    }),
    matchRulesInWorker(stages.matchWorker),
    tap((batch) => (count.matchOut += batch.eventCount)),
    correlateOutages(stages.outageKeys, (checkId) => stages.askCheck(checkId)),
    catchError((error: unknown) => {
      stages.onError(error instanceof Error ? error : new Error(String(error)));
      return EMPTY;
    }),
    share(),
  );
  const foldBacklog = new FoldBacklog();
  const changes$ = merge(matched$, checks$).pipe(
    tap(() => count.foldIn++),
    foldIntoIncidents(stages.manager, () => count.foldOut++, () => stages.onFoldIdle?.(), foldBacklog),
    share(),
  );
  const countStages = (): StageCount[] => [
    { stage: "group", unit: "lines", in: count.groupIn, out: count.groupOut },
    { stage: "match", unit: "events", in: count.matchIn, out: count.matchOut },
    { stage: "fold", unit: "inputs", in: count.foldIn, out: count.foldOut },
  ];
  return { matched$, changes$, countStages, foldBacklog };
}
