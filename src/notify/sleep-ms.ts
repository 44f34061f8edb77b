/** Waits `ms`; rejects early when `signal` aborts, so a closing notifier never waits out a long backoff. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted"));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Injectable wait, so tests can shrink backoffs without fake timers. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;
