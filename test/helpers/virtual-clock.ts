/**
 * Virtual time for tests, on RxJS's VirtualTimeScheduler: vigia's one Clock, driven by the test. `clockOn` makes
 * any RxJS scheduler a Clock (TestScheduler in marble tests); `VirtualClock` is the clock of every other test.
 */
import { Subscription, VirtualTimeScheduler, type SchedulerLike } from "rxjs";
import type { Clock, TimerHandle } from "../../src/util/clock.js";
import { waitFor } from "./wait-for.js";

/**
 * The scheduler's time and timers as a Clock: a timer is a scheduled action, clearing it unsubscribes it. An
 * interval schedules each repetition afresh (an action rescheduling itself would chain one child per repetition,
 * and a watchdog's thousands of looks would overflow the stack when it is cleared).
 */
export function clockOn(scheduler: SchedulerLike): Clock {
  const clear = (handle: TimerHandle | null | undefined) => (handle as Subscription | null | undefined)?.unsubscribe();
  return {
    now: () => scheduler.now(),
    setTimeout: (callback, ms) => scheduler.schedule(callback, Math.max(0, ms)),
    clearTimeout: clear,
    setInterval: (callback, ms) => {
      let repetition = scheduler.schedule(repeat, ms);
      const interval = new Subscription(() => repetition.unsubscribe());
      function repeat(): void {
        callback();
        if (!interval.closed) repetition = scheduler.schedule(repeat, ms);
      }
      return interval;
    },
    clearInterval: clear,
  };
}

/** 2025-12-25 14:30:00 UTC: a virtual clock starts on a real-looking date, not at the epoch. */
const DEFAULT_START_MS = Date.UTC(2025, 11, 25, 14, 30);

/**
 * A clock whose time moves only when the test says so. `advance` fires the timers that fall due in order, and
 * before each one lets the promise jobs and I/O callbacks the previous ones started run, so that code which
 * awaits between two timers sets its next timer before time moves past it.
 */
export class VirtualClock implements Clock {
  private readonly scheduler = new VirtualTimeScheduler();
  private readonly clock: Clock;

  constructor(startMs = DEFAULT_START_MS) {
    this.scheduler.frame = startMs;
    this.clock = clockOn(this.scheduler);
  }

  now(): number {
    return this.scheduler.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(callback, ms);
  }
  clearTimeout(handle: TimerHandle | null | undefined): void {
    this.clock.clearTimeout(handle);
  }
  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.clock.setInterval(callback, ms);
  }
  clearInterval(handle: TimerHandle | null | undefined): void {
    this.clock.clearInterval(handle);
  }

  /** Timers set and not yet fired or cleared. */
  pendingTimers(): number {
    return this.scheduler.actions.length;
  }

  /** In how many ms each pending timer falls due, soonest first. */
  timersDue(): number[] {
    return this.scheduler.actions.map((action) => action.delay - this.now());
  }

  /**
   * Waits for a timer due `ms` from now to be set (by code that first awaits I/O), then moves time to it and fires
   * it: "the next retry waits 2 s" as a fact the test awaits.
   */
  async advanceToTimer(ms: number): Promise<void> {
    const dueMs = this.now() + ms;
    await waitFor(() => this.scheduler.actions.some((action) => action.delay === dueMs), {
      what: `a timer of ${ms} ms`,
      describe: () => `timers set: ${this.timersDue().join(", ") || "none"} ms from now`,
      everyMs: 1,
    });
    await this.advance(ms);
  }

  /** Moves time forward by `ms` at once, for synchronous code with no timer due by then (else: advance). */
  jump(ms: number): void {
    const targetMs = this.now() + ms;
    const next = this.scheduler.actions[0];
    if (next && next.delay <= targetMs) throw new Error(`a timer falls due ${next.delay - this.now()} ms from now: advance, not jump`);
    this.scheduler.frame = targetMs;
  }

  /** Moves time forward by `ms`, firing every timer due by then, in order. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.now() + ms;
    for (;;) {
      await settle();
      const next = this.scheduler.actions[0];
      if (!next || next.delay > targetMs) break;
      this.scheduler.maxFrames = next.delay;
      this.scheduler.flush();
    }
    this.scheduler.frame = targetMs;
    await settle();
  }
}

/** Lets pending promise jobs and the I/O callbacks already due run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
