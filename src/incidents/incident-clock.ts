import type { Clock, TimerHandle } from "../util/clock.js";
import type { CatchUpPosition } from "./catch-up-ranges.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { readLogTimeMs } from "./read-log-time.js";

/**
 * A line of a catch-up written this close to the moment it is read is the present: the catch-up has reached it,
 * and incident time is the wall clock from then on. Well above a loaded machine's delays between writer and reader.
 */
const PRESENT_MS = 5 * 60_000;
/** The longest wall timer armed at once (Node's limit is 2^31 - 1 ms); a timer due later is armed again then. */
const MAX_WAKE_MS = 3_600_000;

/** What an incident-time timer does, and whether it was cleared before its time. */
class IncidentTimer {
  /** Null once cleared: a cleared timer keeps nothing alive until its due time takes it out of the queue. */
  constructor(public callback: (() => void) | null) {}
}

/** What waits on incident time needs of a clock: the time and one-shot timers. */
export type IncidentTimeClock = Pick<Clock, "now" | "setTimeout" | "clearTimeout">;

/**
 * Incident time: what cooldowns, threshold windows, `timestamp`, `resuelto` and every other journal time of an
 * incident are measured on. Followed live it is the wall clock. During a catch-up (see CatchUpRanges) it is the
 * log's own time: a backlog of three days opens and closes its incidents three days' worth apart, so each leaves
 * memory once its cooldown has passed in the log, and the journal dates it when it happened — not all within the
 * few minutes the catch-up takes.
 *
 * While lines of a catch-up are on their way it is the time stated at the start of the latest catch-up line handled
 * (readLogTimeMs), and it stands still between lines: however fast or slow the catch-up reads, matches, or waits
 * for room, its incidents are decided by the log alone. It never goes back (a line whose stamp is older, a repeated
 * stamp, leaves it). Once nothing of the catch-up is pending (`resume`: the files read to their end and every line
 * handled) it runs on with the wall clock from the log's last time, so the last incidents of a caught-up old log
 * still end their waits and leave after their cooldown. It ends, for good, at a catch-up line of the present or at
 * the first line written after a caught-up file was first read. During a catch-up, incidents from other sources (a
 * check, a file followed live) are timed on it too: one clock keeps their cooldowns comparable.
 *
 * Its timers (setTimeout) fire when incident time reaches their due time: followed live they are the wall clock's
 * own. During a catch-up a timer due at T fires after every line stamped T or earlier and before any line stamped
 * later is handled (the incident stage calls `fireBefore` first); after `resume`, the wall clock fires them.
 * Remediation's retry waits use them, so a catch-up's backoffs and resolve_on windows last what they would have
 * lasted in the log, and end the same way at any speed.
 */
export class IncidentClock implements IncidentTimeClock {
  /** null: never in a catch-up; 0: caught up; otherwise how far the log's time is behind the wall clock. */
  private lagMs: number | null = null;
  /** During a catch-up, incident time: the latest line's time while `paused`, never less afterwards. */
  private lastMs = -Infinity;
  /** Lines of the catch-up are on their way: incident time stands at the last one's until the next. */
  private paused = false;
  /** Incident-time timers set during a catch-up, by due time. */
  private readonly timers = new ExpiryQueue<IncidentTimer>();
  /** The wall timer armed for the earliest of `timers` (after `resume`), and when (wall time) it fires. */
  private wakeHandle: TimerHandle | null = null;
  private wakeAtWallMs = Infinity;

  /** `wallClock`: the wall clock and its timers (injected by tests). */
  constructor(private readonly wallClock: Clock) {}

  /** Takes note of an event, where it lies as to a catch-up. */
  observe(text: string, position: CatchUpPosition): void {
    if (position === "live" || this.lagMs === 0) return;
    if (position === "after_catch_up") return this.end();
    const logMs = readLogTimeMs(text);
    if (logMs === null) return;
    const wallMs = this.wallClock.now();
    if (wallMs - logMs <= PRESENT_MS) return this.end();
    // The first catch-up line sets incident time back to the log's; later ones only move it on.
    this.lastMs = this.lagMs === null ? logMs : Math.max(this.now(), logMs);
    this.lagMs = wallMs - this.lastMs;
    if (!this.paused) {
      this.paused = true;
      this.disarmWake();
    }
  }

  /**
   * The time a catch-up line states, when it lies past incident time: the timers due before it must fire first
   * (fireBefore). Null for any other event, which is handled at the present incident time.
   */
  catchUpTimeOf(text: string, position: CatchUpPosition): number | null {
    if (position !== "catch_up" || !this.lagMs) return null;
    const logMs = readLogTimeMs(text);
    return logMs !== null && logMs > this.now() ? logMs : null;
  }

  /** Fires, in order, every timer due before `logMs` (a line about to be handled), incident time at each one's. */
  fireBefore(logMs: number): void {
    for (let dueMs = this.timers.peekTime(); dueMs !== undefined && dueMs < logMs && this.lagMs; dueMs = this.timers.peekTime()) {
      this.lastMs = Math.max(this.lastMs, dueMs);
      this.fire(this.timers.takeExpired(this.lastMs));
    }
  }

  /** Lines of a catch-up are on their way: incident time stands at the last one's. */
  isPaused(): boolean {
    return this.paused && Boolean(this.lagMs);
  }

  /**
   * Nothing of the catch-up is pending (its files read to their end, every line handled): incident time runs on with
   * the wall clock from the log's last time, and the wall clock fires its timers, until the next catch-up line.
   */
  resume(): void {
    if (!this.lagMs || !this.paused) return;
    this.paused = false;
    this.lagMs = this.wallClock.now() - this.lastMs;
    this.armWake();
  }

  /** Incident time, ms since epoch. */
  now(): number {
    if (!this.lagMs) return this.wallClock.now();
    if (!this.paused) this.lastMs = Math.max(this.lastMs, this.wallClock.now() - this.lagMs);
    return this.lastMs;
  }

  /** How far incident time is behind the wall clock: 0 when following live. */
  getLagMs(): number {
    return this.lagMs ? this.wallClock.now() - this.now() : 0;
  }

  /** Calls `callback` once incident time has advanced by `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    if (!this.lagMs) return this.wallClock.setTimeout(callback, ms);
    const timer = new IncidentTimer(callback);
    this.timers.add(this.now() + Math.max(0, ms), timer);
    if (!this.paused) this.armWake();
    return timer;
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    if (handle instanceof IncidentTimer) handle.callback = null;
    else this.wallClock.clearTimeout(handle);
  }

  /** The catch-up is over for good: incident time is the wall clock, and every timer it passed fires now. */
  private end(): void {
    this.lagMs = 0;
    this.paused = false;
    this.armWake();
  }

  /** Arms one wall timer for the earliest incident-time timer (at once when it is due), unless one fires sooner. */
  private armWake(): void {
    const dueMs = this.timers.peekTime();
    if (dueMs === undefined) return;
    const wallMs = this.wallClock.now();
    const delayMs = Math.min(MAX_WAKE_MS, Math.max(0, dueMs - this.now()));
    if (wallMs + delayMs >= this.wakeAtWallMs) return;
    this.disarmWake();
    this.wakeAtWallMs = wallMs + delayMs;
    this.wakeHandle = this.wallClock.setTimeout(() => this.fireDue(), delayMs);
  }

  private disarmWake(): void {
    this.wallClock.clearTimeout(this.wakeHandle);
    this.wakeHandle = null;
    this.wakeAtWallMs = Infinity;
  }

  private fireDue(): void {
    this.wakeHandle = null;
    this.wakeAtWallMs = Infinity;
    if (this.paused) return;
    this.fire(this.timers.takeExpired(this.now()));
    this.armWake();
  }

  private fire(due: readonly IncidentTimer[]): void {
    for (const timer of due) {
      const callback = timer.callback;
      timer.callback = null;
      callback?.();
    }
  }
}
