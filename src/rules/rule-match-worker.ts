import { Worker } from "node:worker_threads";
import type { CompiledRule, LogEvent, MatchedBatch, RuleMatch } from "../types.js";
import { resolveWorkerScript } from "../util/resolve-worker-script.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "../util/clock.js";
import { createSecretMasker } from "../util/mask-secrets.js";
import { compileResolveGate } from "../incidents/compile-resolve-on.js";
import { ANY_LINE, namesWatchedToken, resolverWatchKey } from "../incidents/resolver-needle.js";
import {
  PROGRESS_BUSY,
  PROGRESS_RULE,
  PROGRESS_SEQ,
  PROGRESS_SLOTS,
  type FromMatchWorker,
  type MatchWorkerData,
  type PackedEvents,
  type ResolverWatch,
  type ToMatchWorker,
  type WorkerMatch,
} from "./match-worker-protocol.js";

/** A rule taken out of matching because one event kept it busy past the budget. */
export interface DisabledRule {
  rule: CompiledRule;
  /** The event it was stuck on. */
  event: LogEvent;
  budgetMs: number;
  atMs: number;
}

export interface RuleMatchWorkerOptions {
  /** Longest one event may take through the rules (ms): the config's `match_budget_ms`. */
  budgetMs: number;
  onRuleDisabled?: (disabled: DisabledRule) => void;
  /** The worker died (a bug, out of memory) and was started again; its batches are matched again. */
  onWorkerError?: (error: Error) => void;
  /**
   * The unmatched events to hand back: those matching one of these patterns, plus those that may close a held
   * incident (see watchResolver) and the last event of each batch (how far each file was read). Default: every
   * event. The others are only counted (`eventCount`), so a catch-up of a million lines does not cost the main
   * thread a million events.
   */
  forward?: readonly RegExp[];
  /**
   * Secrets to mask (with every credential-shaped string, see createSecretMasker) in each event before the rules
   * see it: the events handed back carry the masked text, so nothing downstream (journal, alerts, unknown errors)
   * ever holds one. The masking runs in the worker, beside the matching; the main thread masks only the events it
   * hands on without the worker's answer (a batch given up after crashes, a batch after close). Default: no masking.
   */
  maskSecrets?: readonly string[];
  /** The watchdog's looks and the budget's time. Default systemClock. */
  clock?: Clock;
}

/**
 * Events handed to the worker and not answered yet, past which the readers wait (see waitForCapacity): the
 * worker matches more slowly than a file is read during a catch-up, and the queue must not grow with the file.
 */
const MAX_QUEUED_EVENTS = 20_000;

/** A poison batch (it crashes the worker each time) is given up after this many tries, unmatched. */
const MAX_CRASHES_PER_BATCH = 3;

interface PendingBatch {
  id: number;
  firstSeq: number;
  events: LogEvent[];
  packed: PackedEvents;
  /** The rules in force when the batch was submitted: the worker matches it with these. */
  rules: CompiledRule[];
  /** First offset of the batch's events in each file: checkpoints must stay before events not yet matched. */
  firstOffsetByFileId: Map<string, number>;
  isolateIndex: number;
  crashes: number;
  resolve: (batch: MatchedBatch) => void;
}

/**
 * Rule matching in a worker thread, with a watchdog. A regex that backtracks without end would hold the
 * main thread (tailing, journal, /health) for minutes; here it only holds the worker, which the main
 * thread can terminate. The worker publishes which event (and, when isolating, which rule) it is on in
 * shared memory; an event still under way after `budgetMs` gets the worker terminated and restarted.
 * The first time, the event is matched again rule by rule, which names the rule at fault if it stalls
 * again; that rule is then disabled (reported through `onRuleDisabled`) and the event goes on through the
 * others. Batches are answered in submission order.
 */
export class RuleMatchWorker {
  private readonly budgetMs: number;
  private readonly onRuleDisabled: RuleMatchWorkerOptions["onRuleDisabled"];
  private readonly onWorkerError: RuleMatchWorkerOptions["onWorkerError"];
  private readonly forward: RegExp[] | null;
  private readonly clock: Clock;
  private readonly maskSecrets: string[] | null;
  /** The same masking as the worker's, for the events handed on without its answer. */
  private readonly maskText: ((text: string) => string) | null;
  private readonly progressBuffer = new SharedArrayBuffer(4 * PROGRESS_SLOTS);
  private readonly progress = new Int32Array(this.progressBuffer);
  private worker: Worker | null = null;
  /** The rules list last sent to the current worker. */
  private sentRules: CompiledRule[] | null = null;
  private rules: CompiledRule[] = [];
  /** Disabled rules by content, so that a reload of the same rule keeps it off and an edited one gets a new chance. */
  private readonly disabled = new Map<string, DisabledRule>();
  private readonly queue: PendingBatch[] = [];
  private queuedEvents = 0;
  private readonly capacityWaiters: Array<() => void> = [];
  private nextId = 1;
  private nextSeq = 0;
  private watchdog: TimerHandle | null = null;
  private watched: { seq: number; sinceMs: number } | null = null;
  private closed = false;
  /** Held incidents by rule id and watch key (see watchResolver), counted. */
  private readonly resolverKeys = new Map<string, Map<string, number>>();
  /** Changes to `resolverKeys` the current worker has not been sent yet, the last one per key. */
  private pendingWatch = new Map<string, ResolverWatch>();
  /** The worker the whole of `resolverKeys` was last sent to (a restarted one gets it again). */
  private watchSentTo: Worker | null = null;
  /** The last batch whose answer was taken in. */
  private lastAnsweredId = 0;
  /** Watch keys of the matches in the answer being taken in (cleared by the next send): the worker has them already. */
  private answerKeys: Set<string> | null = null;
  /**
   * Keys the worker learns of after batches sent before (`lastBatchId` and earlier) were matched without them (an
   * incident reopened or retried, not opened by a match of the answer being taken in): those batches' answers are
   * completed here.
   */
  private lateWatches: Array<{ ruleId: string; key: string; lastBatchId: number }> = [];
  private readonly gateOfRule = new WeakMap<CompiledRule, RegExp>();

  constructor(options: RuleMatchWorkerOptions) {
    this.budgetMs = options.budgetMs;
    this.onRuleDisabled = options.onRuleDisabled;
    this.onWorkerError = options.onWorkerError;
    // `g` and `y` would make test() remember where it stopped.
    this.forward = options.forward ? options.forward.map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, ""))) : null;
    this.clock = options.clock ?? systemClock;
    this.maskSecrets = options.maskSecrets ? [...options.maskSecrets] : null;
    this.maskText = this.maskSecrets ? createSecretMasker(this.maskSecrets).maskText : null;
  }

  /** The rules for batches submitted from now on (batches already submitted keep theirs). */
  setRules(rules: readonly CompiledRule[]): void {
    this.rules = [...rules];
  }

  /** Rules taken out of matching, and why (for /health). */
  listDisabled(): DisabledRule[] {
    const current = new Set(this.rules.map(describeRuleContent));
    return [...this.disabled.entries()].filter(([key]) => current.has(key)).map(([, d]) => d);
  }

  /**
   * A held incident of `ruleId` may be closed by lines naming `key` (see resolverWatchKey), or no longer: with
   * `forward`, the worker hands back only the unmatched lines past a rule's gate that name a key of a held incident
   * (or of a match it found in a batch not answered yet). Each incident is announced once and withdrawn once.
   */
  watchResolver(ruleId: string, key: string, watched: boolean): void {
    if (this.forward === null) return;
    let keys = this.resolverKeys.get(ruleId);
    if (!keys) this.resolverKeys.set(ruleId, (keys = new Map()));
    const before = keys.get(key) ?? 0;
    const after = Math.max(0, before + (watched ? 1 : -1));
    if (after > 0) keys.set(key, after);
    else keys.delete(key);
    if (keys.size === 0) this.resolverKeys.delete(ruleId);
    if ((before > 0) === (after > 0)) return;
    const id = `${ruleId}\u0000${key}`;
    this.pendingWatch.set(id, [ruleId, key, after > 0]);
    const lastBatchId = this.nextId - 1;
    if (after > 0 && !this.answerKeys?.has(id) && this.queue.length > 0) this.lateWatches.push({ ruleId, key, lastBatchId });
  }

  /** Matches a batch; resolves in submission order. */
  match(events: readonly LogEvent[]): Promise<MatchedBatch> {
    if (events.length === 0) return Promise.resolve({ events: [], matches: [], eventCount: 0 });
    if (this.closed) return Promise.resolve({ events: this.maskEvents(events), matches: [], eventCount: events.length });
    return new Promise((resolve) => {
      const batch: PendingBatch = {
        id: this.nextId++,
        firstSeq: this.nextSeq,
        events: [...events],
        packed: packEvents(events),
        rules: this.rules,
        firstOffsetByFileId: findFirstOffsets(events),
        isolateIndex: -1,
        crashes: 0,
        resolve,
      };
      this.nextSeq = (this.nextSeq + events.length) | 0;
      this.queue.push(batch);
      this.queuedEvents += batch.events.length;
      this.send(batch);
      this.startWatchdog();
    });
  }

  /**
   * First offset in file `fileId` of an event submitted and not answered yet (the tailer's checkpoint stays
   * before it: a line counts as processed once its incident can reach the journal).
   */
  getPendingOffset(fileId: string): number | undefined {
    let first: number | undefined;
    for (const batch of this.queue) {
      const offset = batch.firstOffsetByFileId.get(fileId);
      if (offset !== undefined && (first === undefined || offset < first)) first = offset;
    }
    return first;
  }

  /** Resolves when the worker has room for more events; readers await it between reads. */
  waitForCapacity(): Promise<void> {
    if (this.queuedEvents < MAX_QUEUED_EVENTS || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Stops the worker; batches still pending resolve without matches. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchdog();
    for (const wake of this.capacityWaiters.splice(0)) wake();
    for (const batch of this.queue.splice(0)) batch.resolve({ events: this.maskEvents(batch.events), matches: [], eventCount: batch.events.length });
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private send(batch: PendingBatch): void {
    this.answerKeys = null;
    const worker = this.ensureWorker();
    if (this.sentRules !== batch.rules) {
      const disabledIndexes = batch.rules.flatMap((r, i) => (this.disabled.has(describeRuleContent(r)) ? [i] : []));
      worker.postMessage({ type: "rules", rules: batch.rules, disabled: disabledIndexes, forward: this.forward } satisfies ToMatchWorker);
      this.sentRules = batch.rules;
    }
    const message: ToMatchWorker = {
      type: "batch",
      id: batch.id,
      firstSeq: batch.firstSeq,
      events: batch.packed,
      isolateIndex: batch.isolateIndex,
      watch: this.takeWatchChanges(worker),
      answered: this.lastAnsweredId,
    };
    worker.postMessage(message);
  }

  /** What `worker` has not been told of the held incidents' keys: everything, for a worker that was just started. */
  private takeWatchChanges(worker: Worker): ResolverWatch[] | null {
    if (this.watchSentTo !== worker) {
      this.watchSentTo = worker;
      this.pendingWatch.clear();
      const all: ResolverWatch[] = [];
      for (const [ruleId, keys] of this.resolverKeys) for (const key of keys.keys()) all.push([ruleId, key, true]);
      return all;
    }
    if (this.pendingWatch.size === 0) return null;
    const changes = [...this.pendingWatch.values()];
    this.pendingWatch.clear();
    return changes;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    Atomics.store(this.progress, PROGRESS_BUSY, 0);
    const workerData: MatchWorkerData = { progress: this.progressBuffer, maskSecrets: this.maskSecrets };
    const worker = new Worker(resolveWorkerScript(import.meta.url, "match-worker"), { workerData });
    worker.on("message", (message: FromMatchWorker) => {
      if (worker === this.worker) this.onReply(message);
    });
    worker.on("error", (error) => {
      if (worker === this.worker) this.onCrash(error);
    });
    worker.on("exit", (code) => {
      if (worker === this.worker) this.onCrash(new Error(`matching worker exited with code ${code}`));
    });
    this.worker = worker;
    this.sentRules = null;
    return worker;
  }

  private onReply(message: FromMatchWorker): void {
    const at = this.queue.findIndex((b) => b.id === message.id);
    if (at < 0) return;
    const [batch] = this.queue.splice(at, 1);
    this.noteAnswered(batch!);
    for (const [i, text] of message.masked ?? []) batch!.events[i] = { ...batch!.events[i]!, text };
    const matches: RuleMatch[] = message.matches.map((m) => ({
      rule: batch!.rules[m.ruleIndex]!,
      event: batch!.events[m.eventIndex]!,
      fields: m.fields,
      key: m.key,
    }));
    if (this.queue.length === 0) this.stopWatchdog();
    let forwarded = message.forwarded;
    if (forwarded !== null) {
      this.answerKeys = collectWatchKeys(matches);
      forwarded = this.completeForLateWatches(batch!, message.matches, forwarded);
    }
    const events = forwarded === null ? batch!.events : selectEvents(batch!.events, message.matches, forwarded);
    batch!.resolve({ events, matches, eventCount: batch!.events.length });
  }

  /** Adds the batch's unmatched events that may close an incident the worker learnt of only after matching it. */
  private completeForLateWatches(batch: PendingBatch, matches: readonly WorkerMatch[], forwarded: Int32Array): Int32Array {
    if (this.lateWatches.length === 0) return forwarded;
    const late = this.lateWatches.filter((w) => w.lastBatchId >= batch.id);
    this.lateWatches = late;
    if (late.length === 0) return forwarded;
    const watches: Array<{ gate: RegExp; keys: Map<string, true>; lengths: Map<number, true> }> = [];
    for (const w of late) {
      const rule = batch.rules.find((r) => r.id === w.ruleId && r.resolveOn !== null);
      if (!rule) continue;
      let gate = this.gateOfRule.get(rule);
      if (!gate) this.gateOfRule.set(rule, (gate = compileResolveGate(rule)));
      watches.push({ gate, keys: new Map([[w.key, true]]), lengths: new Map([[w.key.length, true]]) });
    }
    const taken = new Set<number>([...forwarded, ...matches.map((m) => m.eventIndex)]);
    const added: number[] = [];
    batch.events.forEach((event, i) => {
      if (taken.has(i)) return;
      const named = watches.some((w) => w.gate.test(event.text) && (w.keys.has(ANY_LINE) || namesWatchedToken(event.text, w.keys, w.lengths)));
      if (named) added.push(i);
    });
    if (added.length === 0) return forwarded;
    // Matched on the main thread, so masked here: only the worker's answer carries masked texts.
    for (const i of added) batch.events[i] = this.maskEvent(batch.events[i]!);
    return Int32Array.from([...forwarded, ...added].sort((a, b) => a - b));
  }

  private onCrash(error: Error): void {
    if (this.closed) return;
    this.onWorkerError?.(error);
    this.discardWorker();
    const first = this.queue[0];
    if (first && ++first.crashes >= MAX_CRASHES_PER_BATCH) {
      this.queue.shift();
      this.noteAnswered(first);
      first.resolve({ events: this.maskEvents(first.events), matches: [], eventCount: first.events.length });
    }
    this.resendQueue();
  }

  private noteAnswered(batch: PendingBatch): void {
    this.lastAnsweredId = Math.max(this.lastAnsweredId, batch.id);
    this.queuedEvents -= batch.events.length;
    if (this.queuedEvents < MAX_QUEUED_EVENTS / 2) for (const wake of this.capacityWaiters.splice(0)) wake();
  }

  private startWatchdog(): void {
    if (this.watchdog || this.closed) return;
    const tickMs = Math.min(250, Math.max(5, Math.floor(this.budgetMs / 4)));
    this.watchdog = this.clock.setInterval(() => this.checkProgress(), tickMs);
    unrefTimer(this.watchdog);
  }

  private stopWatchdog(): void {
    this.clock.clearInterval(this.watchdog);
    this.watchdog = null;
    this.watched = null;
  }

  /** One watchdog look: the same event under way for longer than the budget is a stall. */
  private checkProgress(): void {
    if (Atomics.load(this.progress, PROGRESS_BUSY) === 0) {
      this.watched = null;
      return;
    }
    const seq = Atomics.load(this.progress, PROGRESS_SEQ);
    const nowMs = this.clock.now();
    if (!this.watched || this.watched.seq !== seq) {
      this.watched = { seq, sinceMs: nowMs };
      return;
    }
    if (nowMs - this.watched.sinceMs >= this.budgetMs) this.onStall(seq, Atomics.load(this.progress, PROGRESS_RULE));
  }

  private onStall(seq: number, ruleIndex: number): void {
    this.watched = null;
    this.discardWorker();
    const batch = this.queue.find((b) => {
      const i = (seq - b.firstSeq) | 0;
      return i >= 0 && i < b.events.length;
    });
    if (batch) {
      const eventIndex = (seq - batch.firstSeq) | 0;
      if (batch.isolateIndex === eventIndex && ruleIndex >= 0 && batch.rules[ruleIndex]) {
        this.disable(batch.rules[ruleIndex]!, batch.events[eventIndex]!);
      } else {
        batch.isolateIndex = eventIndex;
      }
    }
    this.resendQueue();
  }

  private disable(rule: CompiledRule, event: LogEvent): void {
    const disabled: DisabledRule = { rule, event: this.maskEvent(event), budgetMs: this.budgetMs, atMs: this.clock.now() };
    this.disabled.set(describeRuleContent(rule), disabled);
    this.onRuleDisabled?.(disabled);
  }

  /** The events with their secrets masked, for those handed on without the worker's answer. */
  private maskEvents(events: readonly LogEvent[]): LogEvent[] {
    return events.map((event) => this.maskEvent(event));
  }

  private maskEvent(event: LogEvent): LogEvent {
    const text = this.maskText === null ? event.text : this.maskText(event.text);
    return text === event.text ? event : { ...event, text };
  }

  private discardWorker(): void {
    const worker = this.worker;
    this.worker = null;
    this.sentRules = null;
    void worker?.terminate();
  }

  private resendQueue(): void {
    if (this.closed) return;
    for (const batch of this.queue) this.send(batch);
    if (this.queue.length > 0) this.startWatchdog();
  }
}

/** The texts end to end with their lengths, sources as indexes into a small table. */
function packEvents(events: readonly LogEvent[]): PackedEvents {
  const texts = new Array<string>(events.length);
  const lengths = new Int32Array(events.length);
  const sourceOf = new Uint16Array(events.length);
  const sources: string[] = [];
  let lastSource: string | null = null;
  let lastIndex = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    texts[i] = e.text;
    lengths[i] = e.text.length;
    if (e.source !== lastSource) {
      lastSource = e.source;
      lastIndex = sources.indexOf(e.source);
      if (lastIndex < 0) lastIndex = sources.push(e.source) - 1;
    }
    sourceOf[i] = lastIndex;
  }
  return { text: texts.join(""), lengths, sources, sourceOf };
}

/** The watch keys (see resolverWatchKey) of a batch's matches, as `ruleId NUL key`. */
function collectWatchKeys(matches: readonly RuleMatch[]): Set<string> | null {
  let keys: Set<string> | null = null;
  for (const m of matches) {
    const key = resolverWatchKey(m.rule, m.fields);
    if (key !== null) (keys ??= new Set()).add(`${m.rule.id}\u0000${key}`);
  }
  return keys;
}

/** The matched events and the forwarded ones, merged back into batch order. */
function selectEvents(events: readonly LogEvent[], matches: readonly { eventIndex: number }[], forwarded: Int32Array): LogEvent[] {
  const out: LogEvent[] = [];
  let m = 0;
  let f = 0;
  while (m < matches.length || f < forwarded.length) {
    const next = f >= forwarded.length || (m < matches.length && matches[m]!.eventIndex < forwarded[f]!) ? matches[m++]!.eventIndex : forwarded[f++]!;
    out.push(events[next]!);
  }
  return out;
}

function findFirstOffsets(events: readonly LogEvent[]): Map<string, number> {
  const first = new Map<string, number>();
  // The lowest offset of the current run of one file, kept aside: a batch is nearly always one run.
  let fileId: string | null = null;
  let lowest = Infinity;
  for (const e of events) {
    if (e.offset < 0) continue;
    if (e.fileId !== fileId) {
      if (fileId !== null) first.set(fileId, lowest);
      fileId = e.fileId;
      lowest = first.get(fileId) ?? Infinity;
    }
    if (e.offset < lowest) lowest = e.offset;
  }
  if (fileId !== null) first.set(fileId, lowest);
  return first;
}

/** What makes a rule the same rule for the disabled list: its id and every regex it runs. */
function describeRuleContent(rule: CompiledRule): string {
  return [rule.id, String(rule.match), ...rule.exclude.map(String), ...rule.extract.map(String)].join("\0");
}
