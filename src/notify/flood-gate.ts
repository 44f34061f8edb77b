import { systemClock, type Clock } from "../util/clock.js";

/** Why an incident did not get a message of its own. */
export type FloodVerdict = "allow" | "rate_limited" | "repeat";

export interface FloodGateOptions {
  /** New messages allowed per window (`notify.max_per_minute`). */
  maxPerWindow: number;
  /** Length of the sliding window; one minute in production, shorter in tests. */
  windowMs: number;
  /** A key that got a message within this long goes to the digest instead of a second message. 0 disables. */
  repeatWindowMs: number;
  /** The time the windows are measured on. Default systemClock. */
  clock?: Clock;
}

/** Most keys remembered for repeat detection; older ones are forgotten first. */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Flood control for new messages: a sliding-window log of send times (at most `maxPerWindow` per `windowMs`)
 * plus repeat suppression per correlation key. Edits of an existing message do not pass through here: they do
 * not ping the admin, and they are coalesced per incident by the queue.
 */
export class FloodGate {
  private sentAtMs: number[] = [];
  private readonly lastByKey = new Map<string, number>();
  private readonly clock: Clock;

  constructor(private readonly options: FloodGateOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Decides whether an incident of this key may get its own message now; records it when allowed. */
  admit(key: string): FloodVerdict {
    const now = this.clock.now();
    const last = this.lastByKey.get(key);
    if (last !== undefined && this.options.repeatWindowMs > 0 && now - last < this.options.repeatWindowMs) return "repeat";
    if (this.countInWindow(now) >= this.options.maxPerWindow) return "rate_limited";
    this.record(now);
    this.lastByKey.delete(key);
    this.lastByKey.set(key, now);
    if (this.lastByKey.size > MAX_REMEMBERED_KEYS) this.lastByKey.delete(this.lastByKey.keys().next().value!);
    return "allow";
  }

  /** Counts a message that bypasses the gate (digest, grouped alert, summary) so the window reflects reality. */
  record(now = this.clock.now()): void {
    this.sentAtMs.push(now);
  }

  /** Messages sent within the current window. */
  countInWindow(now = this.clock.now()): number {
    const from = now - this.options.windowMs;
    let drop = 0;
    while (drop < this.sentAtMs.length && this.sentAtMs[drop]! <= from) drop++;
    if (drop) this.sentAtMs = this.sentAtMs.slice(drop);
    return this.sentAtMs.length;
  }
}
