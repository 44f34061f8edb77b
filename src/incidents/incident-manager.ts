import { Subject, type Observable } from "rxjs";
import type { CompiledRule, Estado, LogEvent, RuleMatch } from "../types.js";
import { compileResolveGate, compileResolveOn } from "./compile-resolve-on.js";
import { capText, createIncident, createIncidentId, getEventPosition, type TrackedIncident } from "./create-incident.js";
import type { CatchUpRanges } from "./catch-up-ranges.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { formatLocalIso } from "./format-local-iso.js";
import { IncidentClock, type IncidentTimeClock } from "./incident-clock.js";
import type { IncidentChange, IncidentCounters } from "./incident-change.js";
import { appendNote, applyTransition, isTerminal, type TransitionInfo } from "./incident-state.js";
import {
  RemediationAbort,
  type RemediationReason,
  type ReopenResult,
  type ReverifyRequest,
} from "./remediation-request.js";
import { ReplayGuard } from "./replay-guard.js";
import { ANY_LINE, TOKEN_SEPARATORS, isToken, pickResolverNeedle } from "./resolver-needle.js";
import { FALLBACK_COOLDOWN_MS, createPlaceholderRule, rebuildMatch, toTrackedIncident } from "./restore-from-journal.js";
import { ThresholdCounter } from "./threshold-counter.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "../util/clock.js";

export type { IncidentChange, IncidentCounters } from "./incident-change.js";
export {
  RemediationAbort,
  type RemediationReason,
  type RemediationRequest,
  type ReopenResult,
  type ReverifyRequest,
} from "./remediation-request.js";

const DEFAULT_MAX_INTENTOS = 3;
const DEFAULT_MAX_REOPEN = 3;
/** Bound of `detalle` when it quotes a log line. */
const MAX_DETAIL_BYTES = 1024;
/**
 * Journaled positions older than this before the journal's newest entry cannot lie after the tailer's last
 * checkpoint (written about every second), so they are not armed against a replay.
 */
const DEFAULT_REPLAY_WINDOW_MS = 60_000;
/** Matches between two sweeps of threshold counters (closed incidents leave as their cooldown ends, on the next match). */
const SWEEP_EVERY_MATCHES = 1024;
/** Between two sweeps while no match comes (an idle log): what closed during a burst leaves memory after its cooldown. */
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** `accion` of an incident nothing can remediate. */
const ACCION_SOLO_ALERTA = "solo alerta";
/** findResolved's and touchesWork's answer for the many lines that touch nothing (never added to). */
const NONE_RESOLVED: Entry[] = [];

/**
 * How far handleBatchPaced got through a batch: `handled` events (the rest wait for their log time), and `cut` to
 * leave the rest unhandled (a stop: they are read again at the next start).
 */
export interface PacedProgress {
  handled: number;
  cut: boolean;
}

/** What the manager asks of remediation during a catch-up (see setRemediationProbe). */
export interface RemediationProbe {
  /** Whether any remediation is at work: an attempt running or waiting for a slot, or a reverify. */
  anyAtWork(): boolean;
  /** Whether an attempt of this incident is running or waiting for a slot. */
  isAtWork(incidentId: string): boolean;
  /** Null when nothing (of this incident, when given) is at work, else a promise that resolves once nothing is. */
  settled(incidentId?: string): Promise<void> | null;
}

export interface IncidentManagerOptions {
  /**
   * Wall time, and the cooldown sweep's timer; default systemClock. Incident time is this clock, or the log's own
   * time during a catch-up (see IncidentClock).
   */
  clock?: Clock;
  /** `max_intentos` when the rule sets no `retries` (`remediation.max_retries`). Default 3. */
  defaultMaxIntentos?: number;
  /** Reopens of one key within consecutive cooldowns after a fix that did not hold. Default 3. */
  maxReopen?: number;
  /** Cap of `error_message` in UTF-8 bytes. Default 8 KiB. */
  maxMessageBytes?: number;
  /** Incident id factory; default `YYYYMMDD-HHMMSS-<rule>-<6 hex>`. */
  createId?: (ruleId: string, nowMs: number) => string;
  /**
   * At seed, positions of incidents last folded more than this before the journal's newest timestamp are not
   * used to skip replayed lines: they precede the last checkpoint, and on a file truncated since they would only
   * cause false skips. Must exceed the tailer's checkpoint interval. Default 60 s.
   */
  replayWindowMs?: number;
  /**
   * A `--dry-run` session: its incidents are marked `dry_run: true`. A real session never resumes them: at seed
   * it closes them as discarded and frees their keys, so the error is acted on when it happens again.
   */
  dryRun?: boolean;
  /**
   * How often expired cooldowns and threshold counts are forgotten while no match comes (they also are every 1024
   * matches). 0 leaves it to the matches and to `sweep()`. Default 60 s; the timer does not keep the process alive.
   */
  sweepIntervalMs?: number;
  /** Which events are a catch-up, whose incidents are timed on the log's own clock (see IncidentClock). None: all live. */
  catchUpRanges?: CatchUpRanges;
  /**
   * Told what the lines that may close an open incident name (see resolverWatchKey) as it starts waiting for them
   * (`watched`) and as it closes: the matching worker hands back only the lines past a rule's gate that name one of
   * these, instead of every one.
   */
  onResolverWatch?: (ruleId: string, key: string, watched: boolean) => void;
}

/** How much the manager holds, for bounds tests and the benchmark. */
export interface IncidentManagerSizes {
  /** Incidents held: open, or closed and within their key's cooldown. */
  incidents: number;
  /** Of those, not in a final state. */
  open: number;
  /** Keys that route a repeat to an incident. */
  keys: number;
  /** Open incidents a `resolve_on` line may close. */
  resolvers: number;
  /** Root-cause incidents with dependents waiting. */
  dependents: number;
  /** Keys counted towards a threshold. */
  thresholdKeys: number;
}

/** The outcome of an admin's retry: the new incident, or the open one already being worked on. */
export type RetryResult = { ok: true; incident: TrackedIncident } | { ok: false; reason: "still_open"; incident: TrackedIncident };

/** `transition()` for an id the manager does not hold (never seen, or closed and past its cooldown). */
export class UnknownIncidentError extends Error {
  constructor(readonly incidentId: string) {
    super(`unknown incident ${incidentId}`);
    this.name = "UnknownIncidentError";
  }
}

/** What seeding from the journal did. */
export interface SeedReport {
  /** Open incidents handed back to remediation. */
  resumed: number;
  /** Open incidents waiting for a root cause. */
  waiting: number;
  /** Closed incidents whose key is still in its cooldown. */
  inCooldown: number;
  /** Open incidents whose rule is gone: closed `fallido`. */
  orphaned: number;
  /** Elements that are not vigia incidents (seed-system records, junk): left in the journal, not tracked. */
  ignored: number;
  /** Open incidents of a dry-run session, closed by a real one without running anything. */
  dryRunDiscarded: number;
}

interface Entry {
  incident: TrackedIncident;
  rule: CompiledRule;
  /** When it reached a final state; null while open. */
  closedAtMs: number | null;
  controller: AbortController | null;
  resolver: RegExp | null;
  /** A captured value the resolver needs verbatim: a line without it cannot resolve, checked before the regex. */
  resolverNeedle: string | null;
  /** Ids of open root-cause incidents this one waits for; null when not waiting. */
  waitingOn: Set<string> | null;
  reopenCount: number;
  reverifyOutstanding: boolean;
  lastMatch: RuleMatch | null;
  /** Sources other than `fuente` already noted in `transiciones`. */
  notedSources: Set<string> | null;
}

/**
 * The open incidents of one rule that a `resolve_on` line may close: behind the rule's gate, indexed by their needle
 * when it is a whole token (a video name), so a success line checks only the incidents it names.
 */
interface ResolverGroup {
  gate: RegExp;
  byNeedle: Map<string, Set<Entry>>;
  others: Set<Entry>;
}

/** Adds an entry; false when it was there already. */
function addToResolverGroup(group: ResolverGroup, entry: Entry): boolean {
  if (isToken(entry.resolverNeedle)) {
    let set = group.byNeedle.get(entry.resolverNeedle);
    if (!set) group.byNeedle.set(entry.resolverNeedle, (set = new Set()));
    if (set.has(entry)) return false;
    set.add(entry);
    return true;
  }
  if (group.others.has(entry)) return false;
  group.others.add(entry);
  return true;
}

/** What the lines that may close an open incident name, for the matching worker (see resolverWatchKey). */
function watchKeyOf(entry: Entry): string {
  return isToken(entry.resolverNeedle) ? entry.resolverNeedle : ANY_LINE;
}

/** Removes an entry; false when it was not there. */
function removeFromResolverGroup(group: ResolverGroup, entry: Entry): boolean {
  if (isToken(entry.resolverNeedle)) {
    const set = group.byNeedle.get(entry.resolverNeedle);
    if (!set?.delete(entry)) return false;
    if (set.size === 0) group.byNeedle.delete(entry.resolverNeedle);
    return true;
  }
  return group.others.delete(entry);
}

/**
 * Turns rule matches into incidents keyed by `match.key`: folds repeats into the open incident (or the closed
 * one during its cooldown), applies thresholds, closes incidents on `resolve_on` events, holds incidents whose
 * root cause is open, and asks the remediation executor for the rest (a `remediate` change). It runs no action itself.
 *
 * Feed it every event (`handleEvent`/`handleBatch`), not only matches: `resolve_on` and the replay guard need
 * them. Everything it decides is published on `changes$`.
 */
export class IncidentManager {
  private readonly clock: IncidentClock;
  private readonly catchUpRanges: CatchUpRanges | null;
  private readonly now: () => number;
  private readonly defaultMaxIntentos: number;
  private readonly maxReopen: number;
  private readonly maxMessageBytes: number | undefined;
  private readonly createId: (ruleId: string, nowMs: number) => string;
  private readonly replayWindowMs: number;
  private readonly dryRun: boolean;
  private readonly onResolverWatch: IncidentManagerOptions["onResolverWatch"];
  private remediation: RemediationProbe | null = null;

  private readonly changes = new Subject<IncidentChange>();
  /** Every decision, in order; subscribe before feeding or seeding. */
  readonly changes$: Observable<IncidentChange> = this.changes.asObservable();

  private readonly byId = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  /**
   * Open incidents with a `resolve_on`, by rule, behind the rule's gate: the template with every field made a
   * wildcard. An event the gate refuses cannot resolve any incident of the rule, so with a thousand timeouts waiting
   * for their video's success line an ordinary line costs one regex test per rule, not one per incident.
   */
  private readonly resolvers = new Map<CompiledRule, ResolverGroup>();
  private resolverCount = 0;
  private readonly openByRule = new Map<string, Set<Entry>>();
  private openCount = 0;
  /** Readers waiting for fewer open incidents (waitForRoom), with the count they wait for. */
  private roomWaiters: Array<{ limit: number; wake: () => void }> = [];
  private roomWaitersReleased = false;
  private readonly dependents = new Map<string, Set<Entry>>();
  private readonly thresholds = new ThresholdCounter();
  /** Closed incidents by the end of their cooldown: each leaves memory then. */
  private readonly expiries = new ExpiryQueue<Entry>();
  private readonly replayGuard = new ReplayGuard();
  private matchesSinceSweep = 0;
  private readonly wallClock: Clock;
  private sweepTimer: TimerHandle | null = null;
  private readonly counters: IncidentCounters = {
    matches: 0,
    opened: 0,
    folded: 0,
    belowThreshold: 0,
    replaySkipped: 0,
    resolvedByEvent: 0,
    reopened: 0,
  };

  constructor(options: IncidentManagerOptions = {}) {
    const wallClock = options.clock ?? systemClock;
    this.wallClock = wallClock;
    const clock = new IncidentClock(wallClock);
    this.clock = clock;
    this.now = () => clock.now();
    this.catchUpRanges = options.catchUpRanges ?? null;
    this.defaultMaxIntentos = options.defaultMaxIntentos ?? DEFAULT_MAX_INTENTOS;
    this.maxReopen = options.maxReopen ?? DEFAULT_MAX_REOPEN;
    this.maxMessageBytes = options.maxMessageBytes;
    this.createId = options.createId ?? createIncidentId;
    this.replayWindowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    this.dryRun = options.dryRun ?? false;
    this.onResolverWatch = options.onResolverWatch;
    const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (sweepIntervalMs > 0) {
      this.sweepTimer = wallClock.setInterval(() => this.sweep(), sweepIntervalMs);
      unrefTimer(this.sweepTimer);
    }
  }

  /** One event, with the rule match it produced (null when none). */
  handleEvent(event: LogEvent, match: RuleMatch | null = null): void {
    if (this.catchUpRanges) this.clock.observe(event.text, this.catchUpRanges.classify(event));
    this.replayGuard.observe(event);
    if (this.resolverCount > 0) this.checkResolvers(event);
    if (match !== null) this.handleMatch(match);
  }

  /**
   * A batch of events and the matches among them (in event order, at most one per event: first rule wins).
   * Events and matches are interleaved so an event can resolve an incident opened earlier in the same batch.
   */
  handleBatch(events: readonly LogEvent[], matches: readonly RuleMatch[]): void {
    void this.handleBatchInLogTime(events, matches, null);
  }

  /**
   * handleBatch on incident time: during a catch-up, before an event stamped later than incident time, the timers
   * due before it fire, and when the event may touch an incident whose remediation is at work (its key, its root
   * cause, an incident its line resolves), that work settles first — the log's order, at any speed. Null when the
   * whole batch was handled at once; else a promise that resolves once it has been (handle nothing else meanwhile),
   * or once the wait ended with `progress.cut` set (the rest left unhandled).
   */
  handleBatchPaced(events: readonly LogEvent[], matches: readonly RuleMatch[], progress?: PacedProgress): Promise<void> | null {
    return this.handleBatchInLogTime(events, matches, progress ?? { handled: 0, cut: false });
  }

  /** What must happen before `event` is handled (see handleBatchPaced): null when nothing is to be awaited. */
  private paceBefore(event: LogEvent, match: RuleMatch | null): Promise<void> | null {
    if (!this.catchUpRanges) return null;
    const logMs = this.clock.catchUpTimeOf(event.text, this.catchUpRanges.classify(event));
    if (logMs === null) return null;
    this.clock.fireBefore(logMs);
    return this.touchesWork(event, match).length > 0 ? this.settleBefore(logMs, event, match) : null;
  }

  private async settleBefore(logMs: number, event: LogEvent, match: RuleMatch | null): Promise<void> {
    for (let touched = this.touchesWork(event, match); touched.length > 0; touched = this.touchesWork(event, match)) {
      const probe = this.remediation!;
      // A reverify is not an incident's job: wait for all remediation then (a repeat of a fixed key, seldom).
      const work = touched.some((entry) => entry.reverifyOutstanding) ? [probe.settled()] : touched.map((entry) => probe.settled(entry.incident.id));
      const pending = work.filter((w): w is Promise<void> => w !== null);
      // Nothing the executor still runs: a verdict on its way to settle() (a turn of the event loop at most).
      await (pending.length > 0 ? Promise.all(pending) : new Promise((resolve) => setImmediate(resolve)));
      // The attempts that ended armed their next waits: those due before the line fire too.
      this.clock.fireBefore(logMs);
    }
  }

  /**
   * The incidents whose remediation is at work (an attempt running or waiting for a slot, or a reverify) that
   * handling `event` may depend on: its key's, its rule's open root causes, those its line resolves.
   */
  private touchesWork(event: LogEvent, match: RuleMatch | null): Entry[] {
    const probe = this.remediation;
    if (probe === null || !probe.anyAtWork()) return NONE_RESOLVED;
    const atWork = (entry: Entry) => entry.reverifyOutstanding || (entry.closedAtMs === null && probe.isAtWork(entry.incident.id));
    const touched: Entry[] = [];
    if (match !== null) {
      const entry = this.byKey.get(match.key);
      if (entry && atWork(entry)) touched.push(entry);
      for (const ruleId of match.rule.dependsOn) for (const root of this.openByRule.get(ruleId) ?? []) if (atWork(root)) touched.push(root);
    }
    if (this.resolverCount > 0) for (const entry of this.findResolved(event)) if (atWork(entry)) touched.push(entry);
    return touched;
  }

  private handleBatchInLogTime(events: readonly LogEvent[], matches: readonly RuleMatch[], paced: PacedProgress | null): Promise<void> | null {
    let j = 0;
    const handleFrom = (start: number): Promise<void> | null => {
      for (let i = start; i < events.length; i++) {
        const event = events[i]!;
        const match = j < matches.length && matches[j]!.event === event ? matches[j++]! : null;
        const wait = paced ? this.paceBefore(event, match) : null;
        if (wait !== null) {
          paced!.handled = i;
          return wait.then(() => {
            if (paced!.cut) return;
            this.handleEvent(event, match);
            return handleFrom(i + 1) ?? undefined;
          });
        }
        this.handleEvent(event, match);
      }
      for (; j < matches.length; j++) this.handleEvent(matches[j]!.event, matches[j]!);
      if (paced) paced.handled = events.length;
      return null;
    };
    return handleFrom(0);
  }

  /**
   * Records a step of the executor (`reintentando` with `intento`, `accion: "mkdir -p modelos/ana"`, the final
   * state). Throws UnknownIncidentError or InvalidTransitionError (e.g. the incident was already closed by
   * `resolve_on`: check `signal.aborted` first).
   */
  transition(id: string, estado: Estado, info: TransitionInfo = {}): TrackedIncident {
    const entry = this.byId.get(id);
    if (!entry) throw new UnknownIncidentError(id);
    this.record(entry, estado, info, "closed");
    return entry.incident;
  }

  /** Adds a note to an open incident's `transiciones` without changing its state (a step taken outside remediation). */
  note(id: string, info: Pick<TransitionInfo, "detalle" | "message"> & { accion: string }): void {
    const entry = this.byId.get(id);
    if (!entry) throw new UnknownIncidentError(id);
    if (entry.closedAtMs !== null) return;
    const previous = entry.incident.estado;
    entry.incident = appendNote(entry.incident, info, this.now());
    this.changes.next({ type: "transition", incident: entry.incident, rule: entry.rule, previous, rootCause: null, message: info.message ?? null });
  }

  /**
   * Opens a new incident for a key whose fix did not hold (after a re-verify). Allowed only while the key's last
   * incident is closed and in its cooldown, at most `maxReopen` times in a chain of cooldowns.
   */
  reopen(key: string): ReopenResult {
    const entry = this.byKey.get(key);
    if (!entry) return { ok: false, reason: "unknown_key" };
    if (entry.closedAtMs === null) return { ok: false, reason: "still_open" };
    const nowMs = this.now();
    if (nowMs >= entry.closedAtMs + entry.rule.cooldownMs) return { ok: false, reason: "cooldown_over" };
    if (entry.reopenCount >= this.maxReopen) return { ok: false, reason: "limit" };
    const match = entry.lastMatch ?? rebuildMatch(entry.incident, entry.rule);
    const reopened = this.open(match, entry.rule, nowMs, 1, entry.reopenCount + 1, "reopened");
    this.counters.reopened++;
    return { ok: true, incident: reopened.incident };
  }

  /**
   * The admin asked to run an incident's remediation again (`/reintentar`): the key of a closed incident opens a
   * new incident that goes to the executor like any other (same actions, path guard and dry-run), its first step
   * saying whose retry it is. The closed record is never reopened: final states stay final. An incident still open
   * is left to the remediation already working on it.
   */
  retry(incident: TrackedIncident, rule: CompiledRule, detalle: string): RetryResult {
    const current = this.byKey.get(incident.clave);
    if (current && current.closedAtMs === null) return { ok: false, reason: "still_open", incident: current.incident };
    const match = (current?.incident.id === incident.id ? current.lastMatch : null) ?? rebuildMatch(incident, rule);
    const entry = this.open({ ...match, rule }, rule, this.now(), 1, 0, "retried", { accion: "reintento manual", detalle });
    return { ok: true, incident: entry.incident };
  }

  /**
   * Takes over the journal at start: open incidents go back to remediation (resuming from their recorded
   * attempt) or wait for their root cause; closed ones in their cooldown keep their key; every recorded
   * `posicion` arms the replay guard. Elements that are not vigia incidents are ignored (the writer keeps them).
   */
  seed(journal: readonly unknown[], rules: Iterable<CompiledRule>): SeedReport {
    const report: SeedReport = { resumed: 0, waiting: 0, inCooldown: 0, orphaned: 0, ignored: 0, dryRunDiscarded: 0 };
    const rulesById = new Map<string, CompiledRule>();
    for (const r of rules) rulesById.set(r.id, r);
    const nowMs = this.now();
    const incidents: TrackedIncident[] = [];
    for (const raw of journal) {
      const incident = toTrackedIncident(raw);
      if (incident === null || this.byId.has(incident.id)) report.ignored++;
      else incidents.push(incident);
    }
    incidents.sort((a, b) => (Date.parse(a.timestamp) || 0) - (Date.parse(b.timestamp) || 0));
    this.armReplayGuard(incidents);

    const open: Entry[] = [];
    const orphans: Entry[] = [];
    for (const incident of incidents) {
      const rule = rulesById.get(incident.error_type);
      if (incident.dry_run === true && !this.dryRun) {
        // What a dry-run session planned was never done: a real session must not carry it out later, nor let the
        // key fold new occurrences into a record nothing acted on.
        if (!isTerminal(incident.estado)) {
          this.discardDryRun(createEntry(incident, rule ?? createPlaceholderRule(incident), null));
          report.dryRunDiscarded++;
        }
        continue;
      }
      if (isTerminal(incident.estado)) {
        const closedAtMs = Date.parse(incident.resuelto ?? "") || Date.parse(incident.ultima_ocurrencia) || 0;
        const cooldownMs = rule?.cooldownMs ?? FALLBACK_COOLDOWN_MS;
        if (nowMs >= closedAtMs + cooldownMs) continue;
        const entry = createEntry(incident, rule ?? createPlaceholderRule(incident), closedAtMs);
        this.register(entry);
        this.expiries.add(closedAtMs + cooldownMs, entry);
        report.inCooldown++;
        continue;
      }
      const entry = createEntry(incident, rule ?? createPlaceholderRule(incident), null);
      this.register(entry);
      if (rule) {
        this.trackOpen(entry);
        open.push(entry);
      } else {
        orphans.push(entry);
      }
    }
    for (const entry of orphans) {
      const detalle = `regla '${entry.incident.error_type}' ya no está cargada`;
      this.record(entry, "fallido", { detalle, message: `its rule ${entry.incident.error_type} is no longer loaded` }, "closed");
      report.orphaned++;
    }
    for (const entry of open) {
      if (entry.closedAtMs !== null) continue;
      if (this.waitForRootCauses(entry)) report.waiting++;
      else {
        this.dispatch(entry, "resumed");
        report.resumed++;
      }
    }
    return report;
  }

  /** Closes an open dry-run incident as `fallido` (journaled) without tracking its key. */
  private discardDryRun(entry: Entry): void {
    const detalle = "abierto por una sesión --dry-run: nada se ejecutó y una sesión real no lo reanuda";
    const message = "opened by a --dry-run session: nothing ran, and a real session does not take it over";
    this.record(entry, "fallido", { accion: "descartado: abierto en dry-run", detalle, message }, "closed");
  }

  /** The incident with this id, while the manager holds it (open, or closed within its cooldown). */
  get(id: string): TrackedIncident | undefined {
    return this.byId.get(id)?.incident;
  }

  /**
   * Whether an incident may still change: open, or closed and within its cooldown (a repeat folds into it). The
   * journal moves only the others to its archives.
   */
  isHeld(id: string): boolean {
    const entry = this.byId.get(id);
    return entry !== undefined && (entry.closedAtMs === null || this.now() < entry.closedAtMs + entry.rule.cooldownMs);
  }

  /** The incident that currently owns a key. */
  getByKey(key: string): TrackedIncident | undefined {
    return this.byKey.get(key)?.incident;
  }

  /** Incidents not yet in a final state, oldest first. */
  listOpen(): TrackedIncident[] {
    const out: TrackedIncident[] = [];
    for (const entry of this.byId.values()) if (entry.closedAtMs === null) out.push(entry.incident);
    return out;
  }

  /**
   * Resolves once fewer than `limit` incidents are open. The readers of a catch-up wait on it between reads: each
   * open incident costs memory until remediation closes it, so a backlog read faster than it is remediated must
   * not open them without end. During a catch-up its incidents' waits end only as later lines are handled: a
   * reader must not wait for itself once nothing else is left to handle (see hasRoom).
   */
  waitForRoom(limit: number): Promise<void> {
    if (this.openCount < limit || this.roomWaitersReleased) return Promise.resolve();
    return new Promise((wake) => this.roomWaiters.push({ limit, wake }));
  }

  /**
   * Whether fewer than `limit` incidents are open (or the readers were released for good). During a catch-up,
   * incident time stands still while lines are on their way, so an open incident may close only once more lines
   * are handled: with nothing left to handle, readers go on whatever this says (see the engine's waitForCapacity).
   */
  hasRoom(limit: number): boolean {
    return this.openCount < limit || this.roomWaitersReleased;
  }

  /** Wakes the readers waiting for room, now and from then on: a stop must not wait for remediation. */
  releaseRoomWaiters(): void {
    this.roomWaitersReleased = true;
    for (const waiter of this.roomWaiters.splice(0)) waiter.wake();
  }

  /**
   * Incident time and timers on it: the wall clock followed live, the log's own time during a catch-up. What
   * remediation's retry waits are timed on, so a catch-up's backoffs and resolve_on windows last what they would
   * have lasted in the log.
   */
  get incidentClock(): IncidentTimeClock {
    return this.clock;
  }

  /**
   * Remediation's work under way: during a catch-up, a line that may touch an incident whose remediation is at work
   * waits until it has settled, so the outcome is the log's, not the machine's speed.
   */
  setRemediationProbe(probe: RemediationProbe): void {
    this.remediation = probe;
  }

  /**
   * Nothing of a catch-up is pending (its files read to their end, every line handled): incident time runs on with
   * the wall clock from the log's last time until the next catch-up line, so the last waits end.
   */
  resumeIncidentTime(): void {
    this.clock.resume();
  }

  /** How far incident time is behind the wall clock (ms): 0 when the log is followed live, more during a catch-up. */
  getLagMs(): number {
    return this.clock.getLagMs();
  }

  /** Matches of `key` counted towards its rule's threshold so far. */
  getThresholdCount(key: string): number {
    return this.thresholds.getCount(key, this.now());
  }

  /** Running totals for metrics and the session summary. */
  getCounters(): Readonly<IncidentCounters> {
    return { ...this.counters };
  }

  /** Sizes of what the manager holds. */
  getSizes(): IncidentManagerSizes {
    let open = 0;
    for (const entry of this.byId.values()) if (entry.closedAtMs === null) open++;
    let dependents = 0;
    for (const set of this.dependents.values()) if (set.size > 0) dependents++;
    return {
      incidents: this.byId.size,
      open,
      keys: this.byKey.size,
      resolvers: this.resolverCount,
      dependents,
      thresholdKeys: this.thresholds.size,
    };
  }

  /**
   * Forgets incidents whose cooldown is over and threshold counts that expired; runs every 1024 matches and on the
   * sweep timer (closed incidents also leave at the first match after their cooldown).
   */
  sweep(): void {
    const nowMs = this.now();
    this.forgetExpired(nowMs);
    this.thresholds.sweep(nowMs);
  }

  /** Closed incidents whose cooldown ended leave memory: a repeat of their key opens a new incident. */
  private forgetExpired(nowMs: number): void {
    for (const entry of this.expiries.takeExpired(nowMs)) {
      const { id, clave } = entry.incident;
      if (this.byId.get(id) === entry) this.byId.delete(id);
      if (this.byKey.get(clave) === entry) this.byKey.delete(clave);
    }
  }

  /**
   * Stops: aborts every remediation in progress (reason `shutdown`; those incidents stay open in the journal and
   * resume at the next start) and completes `changes$`.
   */
  shutdown(): void {
    this.releaseRoomWaiters();
    this.wallClock.clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const entry of this.byId.values()) {
      if (entry.closedAtMs === null) entry.controller?.abort(new RemediationAbort(entry.incident.id, "shutdown"));
    }
    this.changes.complete();
  }

  /** Arms the replay guard with the positions of incidents folded shortly before the journal's last entry. */
  private armReplayGuard(incidents: readonly TrackedIncident[]): void {
    const lastSeenMs = (i: TrackedIncident): number => Date.parse(i.ultima_ocurrencia) || 0;
    let newestMs = -Infinity;
    for (const i of incidents) {
      newestMs = Math.max(newestMs, lastSeenMs(i));
      for (const t of i.transiciones) newestMs = Math.max(newestMs, Date.parse(t?.timestamp) || -Infinity);
    }
    const recent = incidents
      .filter((i) => i.posicion !== null && lastSeenMs(i) >= newestMs - this.replayWindowMs)
      .sort((a, b) => lastSeenMs(a) - lastSeenMs(b));
    this.replayGuard.arm(recent.map((i) => [i.clave, i.posicion!] as const));
  }

  private handleMatch(match: RuleMatch): void {
    this.counters.matches++;
    if (++this.matchesSinceSweep >= SWEEP_EVERY_MATCHES) {
      this.matchesSinceSweep = 0;
      this.sweep();
    }
    const { key, rule } = match;
    if (this.replayGuard.isReplay(key, match.event)) {
      this.counters.replaySkipped++;
      this.changes.next({ type: "skipped", rule, key, match, reason: "replay" });
      return;
    }
    const nowMs = this.now();
    if (this.expiries.hasExpired(nowMs)) this.forgetExpired(nowMs);
    const entry = this.byKey.get(key);
    if (entry) {
      if (entry.closedAtMs === null) {
        this.fold(entry, match, nowMs);
        return;
      }
      if (nowMs < entry.closedAtMs + entry.rule.cooldownMs) {
        this.fold(entry, match, nowMs);
        if (entry.incident.estado === "solucionado") this.requestReverify(entry, match);
        return;
      }
      this.byKey.delete(key); // cooldown over: the key opens a new incident
      this.byId.delete(entry.incident.id);
    }
    let ocurrencias = 1;
    const threshold = rule.threshold;
    if (threshold !== null && threshold.count > 1) {
      const count = this.thresholds.record(key, nowMs, threshold.withinMs, threshold.count);
      if (count < threshold.count) {
        this.counters.belowThreshold++;
        this.changes.next({ type: "counted", rule, key, count, needed: threshold.count, match });
        return;
      }
      this.thresholds.reset(key);
      ocurrencias = count;
    }
    this.open(match, rule, nowMs, ocurrencias, 0, "new");
  }

  private open(
    match: RuleMatch,
    rule: CompiledRule,
    nowMs: number,
    ocurrencias: number,
    reopenCount: number,
    reason: "new" | "reopened" | "retried",
    firstStep: { accion: string; detalle: string } | null = null,
  ): Entry {
    let id = this.createId(rule.id, nowMs);
    while (this.byId.has(id)) id = this.createId(rule.id, nowMs);
    const created = createIncident(match, {
      nowMs,
      id,
      defaultMaxIntentos: this.defaultMaxIntentos,
      maxMessageBytes: this.maxMessageBytes,
      ocurrencias,
    });
    if (firstStep) created.transiciones = [{ ...created.transiciones[0]!, ...firstStep }];
    const incident: TrackedIncident = this.dryRun ? { ...created, dry_run: true } : created;
    const entry = createEntry(incident, rule, null);
    entry.reopenCount = reopenCount;
    entry.lastMatch = match;
    this.register(entry);
    this.trackOpen(entry);
    this.counters.opened++;
    this.changes.next({ type: "opened", incident, rule, reason });
    if (!this.waitForRootCauses(entry)) this.dispatch(entry, reason === "reopened" ? "reopened" : "new");
    return entry;
  }

  private fold(entry: Entry, match: RuleMatch, nowMs: number): void {
    const posicion = getEventPosition(match) ?? entry.incident.posicion;
    entry.incident = {
      ...entry.incident,
      ocurrencias: entry.incident.ocurrencias + 1,
      ultima_ocurrencia: formatLocalIso(nowMs),
      posicion,
    };
    entry.lastMatch = match;
    this.counters.folded++;
    this.changes.next({ type: "folded", incident: entry.incident, rule: entry.rule, match });
    this.noteSource(entry, match);
  }

  /**
   * One problem seen by two sources (the bot's log and the Bot API check) is one incident: the first source opens
   * it, every other one is recorded once in its `transiciones` while it is open.
   */
  private noteSource(entry: Entry, match: RuleMatch): void {
    const source = match.event.source;
    if (entry.closedAtMs !== null || source === entry.incident.fuente || entry.notedSources?.has(source)) return;
    (entry.notedSources ??= new Set()).add(source);
    this.note(entry.incident.id, { accion: `también detectado por ${source}`, detalle: capText(match.event.text, MAX_DETAIL_BYTES), message: `also seen in ${source}` });
  }

  /** Puts a new or resumed incident in `pendiente` when a rule it depends on has an open incident. */
  private waitForRootCauses(entry: Entry): boolean {
    const roots: Entry[] = [];
    for (const ruleId of entry.rule.dependsOn) {
      for (const root of this.openByRule.get(ruleId) ?? []) if (root !== entry) roots.push(root);
    }
    if (roots.length === 0) return false;
    entry.waitingOn = new Set(roots.map((r) => r.incident.id));
    for (const root of roots) {
      let set = this.dependents.get(root.incident.id);
      if (!set) this.dependents.set(root.incident.id, (set = new Set()));
      set.add(entry);
    }
    if (entry.incident.estado !== "pendiente") {
      const names = roots.map((r) => `${r.rule.id} ${r.incident.id}`).join(", ");
      this.record(entry, "pendiente", { detalle: `esperando causa raíz: ${names}`, message: `waiting for its root cause: ${names}` }, "closed");
    }
    return true;
  }

  /** Hands an incident to the executor, or closes it as alert-only when its rule can do nothing about it. */
  private dispatch(entry: Entry, reason: RemediationReason): void {
    const rule = entry.rule;
    if (rule.actions.length === 0 && rule.verify === null && rule.resolveOn === null) {
      if (rule.closedExternally) return; // a check's recovery closes it (engine → transition())
      this.record(entry, "fallido", { accion: ACCION_SOLO_ALERTA, message: "alert only: the rule has no actions, verify or resolve_on" }, "closed");
      return;
    }
    entry.controller ??= new AbortController();
    const request = { incident: entry.incident, rule: entry.rule, signal: entry.controller.signal, reason };
    this.changes.next({ type: "remediate", request });
  }

  private requestReverify(entry: Entry, match: RuleMatch): void {
    if (entry.reverifyOutstanding) return; // one question at a time per incident, not one per repeated line
    entry.reverifyOutstanding = true;
    let settled = false;
    const request: ReverifyRequest = {
      incident: entry.incident,
      rule: entry.rule,
      match,
      settle: (stillFixed) => {
        if (settled) return null;
        settled = true;
        entry.reverifyOutstanding = false;
        return stillFixed ? null : this.reopen(entry.incident.clave);
      },
    };
    this.changes.next({ type: "reverify", request });
  }

  private checkResolvers(event: LogEvent): void {
    for (const entry of this.findResolved(event)) {
      if (entry.closedAtMs !== null) continue; // closed by an earlier candidate's transition (root cause)
      this.counters.resolvedByEvent++;
      const detalle = `resuelto por: ${capText(event.text, MAX_DETAIL_BYTES)}`;
      this.record(entry, "solucionado", { detalle, message: `resolved by a line of ${event.source} (resolve_on)` }, "resolve_on");
    }
  }

  /** The open incidents whose resolve_on `event` matches. */
  private findResolved(event: LogEvent): Entry[] {
    let resolved: Entry[] | null = null;
    // Split once per line, however many rules' gates it passes (several rules often share one success line).
    let tokens: string[] | null = null;
    for (const group of this.resolvers.values()) {
      if (!group.gate.test(event.text)) continue;
      // Candidates: incidents whose needle is one of the line's tokens, plus those whose needle cannot be a token.
      // Most lines past the gate (every successful download) name no open incident: they allocate nothing.
      let candidates: Entry[] | null = null;
      for (const token of (tokens ??= event.text.split(TOKEN_SEPARATORS))) {
        // A sentence's final dot is not part of the name it follows; most tokens have none, and then one lookup.
        const byToken = group.byNeedle.get(token) ?? (token.endsWith(".") ? group.byNeedle.get(token.replace(/\.+$/, "")) : undefined);
        if (byToken) (candidates ??= []).push(...byToken);
      }
      if (group.others.size > 0) (candidates ??= []).push(...group.others);
      if (candidates === null) continue;
      for (const entry of candidates) {
        if (entry.closedAtMs !== null) continue;
        if (entry.resolverNeedle !== null && !event.text.includes(entry.resolverNeedle)) continue;
        if (entry.resolver!.test(event.text)) (resolved ??= []).push(entry);
      }
    }
    return resolved ?? NONE_RESOLVED;
  }

  /** The one place an incident changes state: final states release keys, signals and dependents. */
  private record(
    entry: Entry,
    estado: Estado,
    info: TransitionInfo,
    cause: RemediationAbort["kind"],
    rootCause: Entry | null = null,
  ): void {
    // During a catch-up a remediation step is dated at its attempt's due time on the log's clock, not when the
    // machine got to report it: its outcome and the cooldown it starts are the log's.
    const nowMs = info.atMs !== undefined && info.atMs < this.now() && this.clock.isPaused() ? info.atMs : this.now();
    const previous = entry.incident.estado;
    entry.incident = applyTransition(entry.incident, estado, info, nowMs);
    const terminal = isTerminal(estado);
    if (terminal) {
      entry.closedAtMs = nowMs;
      this.expiries.add(nowMs + entry.rule.cooldownMs, entry);
      this.untrackOpen(entry);
      entry.controller?.abort(new RemediationAbort(entry.incident.id, cause));
      // What only an open incident needs leaves with it; the entry stays for its cooldown, to fold repeats.
      entry.controller = null;
      entry.resolver = null;
      entry.resolverNeedle = null;
      entry.notedSources = null;
    }
    this.changes.next({
      type: "transition",
      incident: entry.incident,
      rule: entry.rule,
      previous,
      rootCause: rootCause?.incident ?? null,
      message: info.message ?? null,
    });
    if (terminal) this.settleDependents(entry);
  }

  /** A root cause closed: its dependents fail with it, or go to remediation once no root holds them. */
  private settleDependents(root: Entry): void {
    const waiting = this.dependents.get(root.incident.id);
    if (!waiting) return;
    this.dependents.delete(root.incident.id);
    for (const entry of waiting) {
      if (entry.closedAtMs !== null || entry.waitingOn === null) continue;
      entry.waitingOn.delete(root.incident.id);
      if (root.incident.estado === "fallido") {
        const detalle = `causa raíz: ${root.rule.id} ${root.incident.id}`;
        this.record(entry, "fallido", { detalle, message: `its root cause ${root.rule.id} ${root.incident.id} failed` }, "root_cause", root);
      } else if (entry.waitingOn.size === 0) {
        entry.waitingOn = null;
        this.dispatch(entry, "released");
      }
    }
  }

  private register(entry: Entry): void {
    this.byId.set(entry.incident.id, entry);
    this.byKey.set(entry.incident.clave, entry);
  }

  private trackOpen(entry: Entry): void {
    let set = this.openByRule.get(entry.rule.id);
    if (!set) this.openByRule.set(entry.rule.id, (set = new Set()));
    if (!set.has(entry)) this.openCount++;
    set.add(entry);
    try {
      entry.resolver = compileResolveOn(entry.rule, entry.incident.campos);
    } catch (error) {
      this.warn(`resolve_on of rule '${entry.rule.id}' unusable for ${entry.incident.id}: ${(error as Error).message}`, entry.incident);
    }
    if (entry.resolver) {
      entry.resolverNeedle = pickResolverNeedle(entry.rule, entry.incident.campos);
      let group = this.resolvers.get(entry.rule);
      if (!group) this.resolvers.set(entry.rule, (group = { gate: compileResolveGate(entry.rule), byNeedle: new Map(), others: new Set() }));
      if (addToResolverGroup(group, entry)) {
        this.resolverCount++;
        this.onResolverWatch?.(entry.rule.id, watchKeyOf(entry), true);
      }
    }
  }

  private untrackOpen(entry: Entry): void {
    if (this.openByRule.get(entry.rule.id)?.delete(entry)) {
      this.openCount--;
      if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
    }
    const group = this.resolvers.get(entry.rule);
    if (group && removeFromResolverGroup(group, entry)) {
      this.resolverCount--;
      this.onResolverWatch?.(entry.rule.id, watchKeyOf(entry), false);
      if (group.byNeedle.size === 0 && group.others.size === 0) this.resolvers.delete(entry.rule);
    }
    if (entry.waitingOn) {
      for (const rootId of entry.waitingOn) this.dependents.get(rootId)?.delete(entry);
      entry.waitingOn = null;
    }
  }

  private wakeRoomWaiters(): void {
    const waiting = this.roomWaiters;
    this.roomWaiters = [];
    for (const waiter of waiting) {
      if (this.openCount < waiter.limit) waiter.wake();
      else this.roomWaiters.push(waiter);
    }
  }

  private warn(message: string, incident: TrackedIncident | null): void {
    this.changes.next({ type: "warning", message, incident });
  }
}

function createEntry(incident: TrackedIncident, rule: CompiledRule, closedAtMs: number | null): Entry {
  return {
    incident,
    rule,
    closedAtMs,
    controller: null,
    resolver: null,
    resolverNeedle: null,
    waitingOn: null,
    reopenCount: 0,
    reverifyOutstanding: false,
    lastMatch: null,
    notedSources: null,
  };
}
