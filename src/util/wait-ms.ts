import { systemClock, type Clock } from "./clock.js";

/**
 * Waits `ms`; resolves true when the time passed, false at once when `signal` aborts (before or during), so a
 * closing notifier or a cancelled remediation never waits out a long backoff. Never rejects: an abort is an
 * outcome the caller reads, not an exception.
 */
export function waitMs(ms: number, signal?: AbortSignal, clock: Pick<Clock, "setTimeout" | "clearTimeout"> = systemClock): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolvePromise) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolvePromise(false);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolvePromise(true);
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
