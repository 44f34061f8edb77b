import { defaultTimers, type Timers } from "./timers.js";

/** Waits `ms`; resolves true when the time passed, false at once when `signal` aborts (before or during). */
export function waitMs(ms: number, signal?: AbortSignal, timers: Timers = defaultTimers): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolvePromise) => {
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolvePromise(false);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolvePromise(true);
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
