/**
 * The one clock vigia reads and waits with: the time and the timers, in one object injected wherever time matters
 * (the executor's backoff and timeouts, the checks' cadence, the notifier's retries and digests, the tailer's
 * grace periods, the incidents' cooldowns), so that a test drives all of it with one virtual clock.
 * `systemClock` looks the global functions up at call time, so jest's fake timers apply to it too.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | null | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | null | undefined): void;
}

/** What a clock's timer functions return: opaque, except that a Node timer can be unref'd (see unrefTimer). */
export type TimerHandle = object;

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as NodeTimer | undefined),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as NodeTimer | undefined),
};

/** Lets the process exit while the timer is pending, when it is a Node timer (a virtual one has nothing to hold). */
export function unrefTimer(handle: TimerHandle): void {
  (handle as { unref?: () => unknown }).unref?.();
}

/**
 * `AbortSignal.timeout` on any clock: aborts with a TimeoutError (as fetch reports a timeout) once `ms` of `clock`
 * have passed. `clear` drops the timer when the work ended first; the timer never holds the process open.
 */
export function createTimeoutSignal(ms: number, clock: Clock = systemClock): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const handle = clock.setTimeout(() => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
  unrefTimer(handle);
  return { signal: controller.signal, clear: () => clock.clearTimeout(handle) };
}
