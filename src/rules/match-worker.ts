/**
 * The matching worker thread: rules against batches of events, off the main thread, so that a regex that
 * runs away can be stopped (the main thread terminates this thread) instead of freezing tailing, journal
 * and /health. It only computes; every decision is the main thread's.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CompiledRule, LogEvent } from "../types.js";
import { acceptsSource, applyRule, createRuleMatcher, type RuleMatcher } from "./match-rules.js";
import { PROGRESS_BUSY, PROGRESS_RULE, PROGRESS_SEQ, type FromMatchWorker, type ToMatchWorker, type WorkerMatch } from "./match-worker-protocol.js";

const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
let rules: CompiledRule[] = [];
/** The rules tested (disabled ones left out), with their index in `rules`. */
let active: Array<{ rule: CompiledRule; index: number }> = [];
let matcher: RuleMatcher = () => null;
let indexOfRule = new Map<CompiledRule, number>();

function useRules(next: CompiledRule[], disabled: readonly number[]): void {
  rules = next;
  const off = new Set(disabled);
  active = rules.map((rule, index) => ({ rule, index })).filter((r) => !off.has(r.index));
  matcher = createRuleMatcher(active.map((r) => r.rule));
  indexOfRule = new Map(rules.map((r, i) => [r, i]));
}

/** The slow path for one event: each rule in turn, its index published before it runs. */
function matchIsolated(event: LogEvent): { rule: CompiledRule; fields: Record<string, string>; key: string } | null {
  for (const { rule, index } of active) {
    if (!acceptsSource(rule, event.source)) continue;
    Atomics.store(progress, PROGRESS_RULE, index);
    const m = applyRule(rule, event);
    if (m) return m;
  }
  return null;
}

function matchBatch(id: number, firstSeq: number, events: LogEvent[], isolateIndex: number): FromMatchWorker {
  const matches: WorkerMatch[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    Atomics.store(progress, PROGRESS_RULE, -1);
    Atomics.store(progress, PROGRESS_SEQ, (firstSeq + i) | 0);
    Atomics.store(progress, PROGRESS_BUSY, 1);
    const m = i === isolateIndex ? matchIsolated(event) : matcher(event);
    if (m) matches.push({ eventIndex: i, ruleIndex: indexOfRule.get(m.rule)!, fields: m.fields, key: m.key });
  }
  Atomics.store(progress, PROGRESS_BUSY, 0);
  return { type: "matched", id, matches };
}

parentPort!.on("message", (message: ToMatchWorker) => {
  if (message.type === "rules") useRules(message.rules, message.disabled);
  else parentPort!.postMessage(matchBatch(message.id, message.firstSeq, message.events, message.isolateIndex));
});
