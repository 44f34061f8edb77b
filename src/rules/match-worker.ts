/**
 * The matching worker thread: rules against batches of events, off the main thread, so that a regex that
 * runs away can be stopped (the main thread terminates this thread) instead of freezing tailing, journal
 * and /health. It only computes; every decision is the main thread's. It also tells the main thread which
 * unmatched events it needs at all, so that the other 95 % of a catch-up never cost it more than a count.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CompiledRule, LogEvent } from "../types.js";
import { compileResolveGate } from "../incidents/compile-resolve-on.js";
import { acceptsSource, applyRule, createRuleMatcher, type RuleMatcher } from "./match-rules.js";
import { PROGRESS_BUSY, PROGRESS_RULE, PROGRESS_SEQ, type FromMatchWorker, type PackedEvents, type ToMatchWorker, type WorkerMatch } from "./match-worker-protocol.js";

const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
let rules: CompiledRule[] = [];
/** The rules tested (disabled ones left out), with their index in `rules`. */
let active: Array<{ rule: CompiledRule; index: number }> = [];
let matcher: RuleMatcher = () => null;
let indexOfRule = new Map<CompiledRule, number>();
/** Unmatched events matching one of these go to the main thread; null: every event does. */
let wanted: RegExp[] | null = null;

function useRules(next: CompiledRule[], disabled: readonly number[], forward: RegExp[] | null): void {
  rules = next;
  const off = new Set(disabled);
  active = rules.map((rule, index) => ({ rule, index })).filter((r) => !off.has(r.index));
  matcher = createRuleMatcher(active.map((r) => r.rule));
  indexOfRule = new Map(rules.map((r, i) => [r, i]));
  // An event can close an incident only where its rule's resolve_on gate matches (disabled rules too: their
  // incidents stay open and may still be resolved).
  wanted = forward === null ? null : [...forward, ...rules.filter((r) => r.resolveOn !== null).map(compileResolveGate)];
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

/** Whether the main thread needs an unmatched event. */
function isWanted(text: string): boolean {
  for (const re of wanted!) if (re.test(text)) return true;
  return false;
}

function matchBatch(id: number, firstSeq: number, packed: PackedEvents, isolateIndex: number): FromMatchWorker {
  const matches: WorkerMatch[] = [];
  const count = packed.lengths.length;
  const forwarded: number[] = [];
  // One event object, refilled: the matcher reads `source` and `text` only and keeps nothing.
  const event = { source: "", text: "" } as LogEvent;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + packed.lengths[i]!;
    event.text = packed.text.slice(start, end);
    event.source = packed.sources[packed.sourceOf[i]!]!;
    start = end;
    Atomics.store(progress, PROGRESS_RULE, -1);
    Atomics.store(progress, PROGRESS_SEQ, (firstSeq + i) | 0);
    Atomics.store(progress, PROGRESS_BUSY, 1);
    const m = i === isolateIndex ? matchIsolated(event) : matcher(event);
    if (m) matches.push({ eventIndex: i, ruleIndex: indexOfRule.get(m.rule)!, fields: m.fields, key: m.key });
    // The last event goes too: the main thread learns how far each file was read (the replay guard's high water).
    else if (wanted !== null && (i === count - 1 || isWanted(event.text))) forwarded.push(i);
  }
  Atomics.store(progress, PROGRESS_BUSY, 0);
  return { type: "matched", id, matches, forwarded: wanted === null ? null : Int32Array.from(forwarded) };
}

parentPort!.on("message", (message: ToMatchWorker) => {
  if (message.type === "rules") useRules(message.rules, message.disabled, message.forward);
  else parentPort!.postMessage(matchBatch(message.id, message.firstSeq, message.events, message.isolateIndex));
});
