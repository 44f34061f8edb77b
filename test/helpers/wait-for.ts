/** Waiting in tests: for a fact, by polling, with a timeout that only guards against hangs. */

/** How long a wait may take before the test counts as stuck (a loaded 2-core machine is slow, never this slow). */
export const HANG_GUARD_MS = 30_000;

export interface WaitOptions {
  /** What is awaited, for the timeout's message. */
  what: string;
  /** A hang guard, not a performance bound; default HANG_GUARD_MS. */
  timeoutMs?: number;
  everyMs?: number;
  /** The state that was waited on, appended to the timeout's message. */
  describe?: () => string;
}

/**
 * Polls `probe` until it returns something other than undefined or false, and resolves with that value. `what` is a
 * description or full options.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | WaitOptions,
): Promise<T> {
  const options = typeof what === "string" ? { what } : what;
  const timeoutMs = options.timeoutMs ?? HANG_GUARD_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const state = options.describe ? `\n${options.describe()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}${state}`);
    }
    await sleepMs(options.everyMs ?? 20);
  }
}

/** Real time passing, for tests that drive real processes or watchers (never as the proof that something did not happen). */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
