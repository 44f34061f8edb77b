import type { CatchUpPosition } from "./catch-up-ranges.js";
import { readLogTimeMs } from "./read-log-time.js";

/**
 * A line of a catch-up written this close to the moment it is read is the present: the catch-up has reached it,
 * and incident time is the wall clock from then on. Well above a loaded machine's delays between writer and reader.
 */
const PRESENT_MS = 5 * 60_000;

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
 */
export class IncidentClock {
  /** null: never in a catch-up; 0: caught up. */
  private lagMs: number | null = null;
  private lastMs = -Infinity;

  /** `wallNow`: the wall clock (injected by tests). */
  constructor(private readonly wallNow: () => number) {}

  /** Takes note of an event, where it lies as to a catch-up. */
  observe(text: string, position: CatchUpPosition): void {
    if (position === "live" || this.lagMs === 0) return;
    if (position === "after_catch_up") {
      this.lagMs = 0;
      return;
    }
    const logMs = readLogTimeMs(text);
    if (logMs === null) return;
    const lagMs = this.wallNow() - logMs;
    if (lagMs <= PRESENT_MS) this.lagMs = 0;
    else if (this.lagMs === null || lagMs < this.lagMs) this.lagMs = lagMs;
  }

  /** Incident time, ms since epoch. */
  now(): number {
    const wallMs = this.wallNow();
    if (!this.lagMs) return wallMs;
    this.lastMs = Math.max(this.lastMs, wallMs - this.lagMs);
    return this.lastMs;
  }

  /** How far incident time is behind the wall clock: 0 when following live. */
  getLagMs(): number {
    return this.lagMs ?? 0;
  }
}
