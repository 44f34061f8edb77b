/**
 * The matching worker thread: rules against batches of events, off the main thread, so that a regex that
 * runs away can be stopped (the main thread terminates this thread) instead of freezing tailing, journal
 * and /health. It only computes; every decision is the main thread's. It masks secrets in every event before
 * the rules see it (the events it hands back carry the masked text), and tells the main thread which unmatched
 * events it needs at all, so that the other 95 % of a catch-up never cost it more than a count.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CompiledRule, LogEvent } from "../types.js";
import { compileResolveGate } from "../incidents/compile-resolve-on.js";
import { ANY_LINE, namesWatchedToken, resolverWatchKey } from "../incidents/resolver-needle.js";
import { createSecretMasker } from "../util/mask-secrets.js";
import { acceptsSource, applyRule, createRuleMatcher, type RuleMatcher } from "./match-rules.js";
import {
  PROGRESS_BUSY,
  PROGRESS_RULE,
  PROGRESS_SEQ,
  type FromMatchWorker,
  type MatchWorkerData,
  type PackedEvents,
  type ResolverWatch,
  type ToMatchWorker,
  type WorkerMatch,
} from "./match-worker-protocol.js";

const data = workerData as MatchWorkerData;
const progress = new Int32Array(data.progress);
/** Masks configured secrets and credential-shaped text; null when the main thread asked for no masking. */
const maskText = data.maskSecrets === null ? null : createSecretMasker(data.maskSecrets).maskText;
let rules: CompiledRule[] = [];
/** The rules tested (disabled ones left out), with their index in `rules`. */
let active: Array<{ rule: CompiledRule; index: number }> = [];
let matcher: RuleMatcher = () => null;
let indexOfRule = new Map<CompiledRule, number>();
/** Unmatched events matching one of these go to the main thread; null: every event does. */
let wanted: RegExp[] | null = null;
/** Each distinct resolve_on gate, with the rules behind it (disabled ones too: their incidents may still close). */
let gates: Array<{ gate: RegExp; ruleIds: string[] }> = [];

/**
 * What the lines that may close a held incident of a rule name (see resolverWatchKey): the main thread's list
 * (`held`), plus the keys of matches this thread found in batches whose answer the main thread has not taken in
 * yet (`seenIn`: the last such batch), whose incidents the main thread does not know about yet.
 */
interface RuleWatch {
  keys: Map<string, { held: boolean; seenIn: number }>;
  /** Keys by length, counted: a line's tokens of other lengths are not looked up. */
  lengths: Map<number, number>;
}
const watches = new Map<string, RuleWatch>();
/** The last batch whose answer the main thread has taken in. */
let answered = 0;
let batchesSincePrune = 0;
const PRUNE_EVERY_BATCHES = 64;

function useRules(next: CompiledRule[], disabled: readonly number[], forward: RegExp[] | null): void {
  rules = next;
  const off = new Set(disabled);
  active = rules.map((rule, index) => ({ rule, index })).filter((r) => !off.has(r.index));
  matcher = createRuleMatcher(active.map((r) => r.rule));
  indexOfRule = new Map(rules.map((r, i) => [r, i]));
  wanted = forward;
  const bySource = new Map<string, { gate: RegExp; ruleIds: string[] }>();
  for (const rule of rules) {
    if (rule.resolveOn === null) continue;
    const gate = compileResolveGate(rule);
    const key = `${gate.flags}/${gate.source}`;
    const known = bySource.get(key);
    if (known) known.ruleIds.push(rule.id);
    else bySource.set(key, { gate, ruleIds: [rule.id] });
  }
  gates = [...bySource.values()];
}

function noteWatchKey(ruleId: string, key: string, change: { held?: boolean; seenIn?: number }): void {
  let watch = watches.get(ruleId);
  if (!watch) watches.set(ruleId, (watch = { keys: new Map(), lengths: new Map() }));
  let state = watch.keys.get(key);
  if (!state) {
    // A key from this thread's match is a capture, a slice of its batch's text: kept as it is, it would keep the
    // whole batch (a megabyte) alive for as long as the incident is open.
    watch.keys.set(copyString(key), (state = { held: false, seenIn: 0 }));
    watch.lengths.set(key.length, (watch.lengths.get(key.length) ?? 0) + 1);
  }
  if (change.held !== undefined) state.held = change.held;
  if (change.seenIn !== undefined) state.seenIn = Math.max(state.seenIn, change.seenIn);
  if (!state.held && state.seenIn <= answered) dropWatchKey(watch, ruleId, key);
}

/** A copy of `text` that holds none of the string it was cut from. */
function copyString(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

function dropWatchKey(watch: RuleWatch, ruleId: string, key: string): void {
  watch.keys.delete(key);
  const n = watch.lengths.get(key.length)! - 1;
  if (n > 0) watch.lengths.set(key.length, n);
  else watch.lengths.delete(key.length);
  if (watch.keys.size === 0) watches.delete(ruleId);
}

/** Keys only this thread's matches added, whose batches the main thread has taken in since: its list has them now. */
function pruneWatches(): void {
  for (const [ruleId, watch] of watches) {
    for (const [key, state] of watch.keys) if (!state.held && state.seenIn <= answered) dropWatchKey(watch, ruleId, key);
  }
}

function applyWatch(changes: readonly ResolverWatch[]): void {
  for (const [ruleId, key, held] of changes) noteWatchKey(ruleId, key, { held });
}

/** Whether an unmatched line may close a held incident: past a rule's gate and naming one of its keys. */
function mayResolve(text: string): boolean {
  if (watches.size === 0) return false;
  for (const { gate, ruleIds } of gates) {
    if (!gate.test(text)) continue;
    for (const ruleId of ruleIds) {
      const watch = watches.get(ruleId);
      if (watch && (watch.keys.has(ANY_LINE) || namesWatchedToken(text, watch.keys, watch.lengths))) return true;
    }
  }
  return false;
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
  /** The masked texts of the events handed back whose text masking changed (few: lines holding a credential). */
  let masked: Array<[number, string]> | null = null;
  // One event object, refilled: the matcher reads `source` and `text` only and keeps nothing.
  const event = { source: "", text: "" } as LogEvent;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + packed.lengths[i]!;
    const text = packed.text.slice(start, end);
    event.text = maskText === null ? text : maskText(text);
    event.source = packed.sources[packed.sourceOf[i]!]!;
    start = end;
    Atomics.store(progress, PROGRESS_RULE, -1);
    Atomics.store(progress, PROGRESS_SEQ, (firstSeq + i) | 0);
    Atomics.store(progress, PROGRESS_BUSY, 1);
    const m = i === isolateIndex ? matchIsolated(event) : matcher(event);
    if (m) {
      matches.push({ eventIndex: i, ruleIndex: indexOfRule.get(m.rule)!, fields: m.fields, key: m.key });
      // Its incident may be opened by this match: the lines after it that may close it go to the main thread.
      const watchKey = resolverWatchKey(m.rule, m.fields);
      if (watchKey !== null) noteWatchKey(m.rule.id, watchKey, { seenIn: id });
    }
    // The last event goes too: the main thread learns how far each file was read (the replay guard's high water).
    else if (wanted !== null && (i === count - 1 || isWanted(event.text) || mayResolve(event.text))) forwarded.push(i);
    else if (wanted !== null) continue;
    // Handed back (matched, forwarded, or every event wanted): its masked text goes with it.
    if (event.text !== text) (masked ??= []).push([i, event.text]);
  }
  Atomics.store(progress, PROGRESS_BUSY, 0);
  return { type: "matched", id, matches, forwarded: wanted === null ? null : Int32Array.from(forwarded), masked };
}

parentPort!.on("message", (message: ToMatchWorker) => {
  if (message.type === "rules") {
    useRules(message.rules, message.disabled, message.forward);
    return;
  }
  answered = Math.max(answered, message.answered);
  if (message.watch) applyWatch(message.watch);
  if (++batchesSincePrune >= PRUNE_EVERY_BATCHES) {
    batchesSincePrune = 0;
    pruneWatches();
  }
  parentPort!.postMessage(matchBatch(message.id, message.firstSeq, message.events, message.isolateIndex));
});
