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
 * It is the wall clock minus the catch-up's lag: the smallest gap seen between the wall clock and the time a
 * catch-up line states at its start (readLogTimeMs). Between lines it runs with the wall clock, so the last
 * incidents of a caught-up old log still leave after their cooldown, and remediation's steps (which happen now) are
 * timed on the log time they belong to. The lag only shrinks: a line whose stamp lags more (a repeated stamp) never
 * pulls incident time back. It ends, for good, at a catch-up line of the present or at the first line written
 * after a caught-up file was first read. During a catch-up, incidents from other sources (a check, a file followed
 * live) are timed on it too: one clock keeps their cooldowns comparable.
 *
 * Its timers (setTimeout) fire when incident time reaches their due time: followed live they are the wall clock's
 * own; during a catch-up a line that moves incident time past a timer's due time fires it (on the next turn of
 * the event loop, never inside `observe`), and the wall clock fires it otherwise, as incident time runs at least as
 * fast as the wall clock. Remediation's retry waits use them, so a catch-up's backoffs and resolve_on windows last
 * what they would have lasted in the log, not seconds of the catch-up each.
 */
export class IncidentClock implements IncidentTimeClock {
  /** null: never in a catch-up; 0: caught up. */
  private lagMs: number | null = null;
  private lastMs = -Infinity;
  /** Incident-time timers set during a catch-up, by due time. */
  private readonly timers = new ExpiryQueue<IncidentTimer>();
  /** The wall timer armed for the earliest of `timers`, and when (wall time) it fires. */
  private wakeHandle: TimerHandle | null = null;
  private wakeAtWallMs = Infinity;

  /** `wallClock`: the wall clock and its timers (injected by tests). */
  constructor(private readonly wallClock: Clock) {}

  /** Takes note of an event, where it lies as to a catch-up. */
  observe(text: string, position: CatchUpPosition): void {
    if (position === "live" || this.lagMs === 0) return;
    if (position === "after_catch_up") {
      this.lagMs = 0;
    } else {
      const logMs = readLogTimeMs(text);
      if (logMs === null) return;
      const lagMs = this.wallClock.now() - logMs;
      if (lagMs <= PRESENT_MS) this.lagMs = 0;
      else if (this.lagMs === null || lagMs < this.lagMs) this.lagMs = lagMs;
      else return;
    }
    // A timer this line made due fires at once; the others keep the wall timer armed for the earliest of them.
    if ((this.timers.peekTime() ?? Infinity) <= this.now()) this.armWake();
  }

  /** Incident time, ms since epoch. */
  now(): number {
    const wallMs = this.wallClock.now();
    if (!this.lagMs) return wallMs;
    this.lastMs = Math.max(this.lastMs, wallMs - this.lagMs);
    return this.lastMs;
  }

  /** How far incident time is behind the wall clock: 0 when following live. */
  getLagMs(): number {
    return this.lagMs ?? 0;
  }

  /** Calls `callback` once incident time has advanced by `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    if (!this.lagMs) return this.wallClock.setTimeout(callback, ms);
    const timer = new IncidentTimer(callback);
    this.timers.add(this.now() + Math.max(0, ms), timer);
    this.armWake();
    return timer;
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    if (handle instanceof IncidentTimer) handle.callback = null;
    else this.wallClock.clearTimeout(handle);
  }

  /** Arms one wall timer for the earliest incident-time timer (at once when it is due), unless one fires sooner. */
  private armWake(): void {
    const dueMs = this.timers.peekTime();
    if (dueMs === undefined) return;
    const wallMs = this.wallClock.now();
    const delayMs = Math.min(MAX_WAKE_MS, Math.max(0, dueMs - this.now()));
    if (wallMs + delayMs >= this.wakeAtWallMs) return;
    this.wallClock.clearTimeout(this.wakeHandle);
    this.wakeAtWallMs = wallMs + delayMs;
    this.wakeHandle = this.wallClock.setTimeout(() => this.fireDue(), delayMs);
  }

  private fireDue(): void {
    this.wakeHandle = null;
    this.wakeAtWallMs = Infinity;
    for (const timer of this.timers.takeExpired(this.now())) {
      const callback = timer.callback;
      timer.callback = null;
      callback?.();
    }
    this.armWake();
  }
}
