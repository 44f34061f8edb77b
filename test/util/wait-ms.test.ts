import { describe, expect, it, jest } from "@jest/globals";
import { waitMs } from "../../src/util/wait-ms.js";
import type { Timers } from "../../src/util/timers.js";

describe("waitMs", () => {
  it("resolves true after the delay, false at once on abort", async () => {
    jest.useFakeTimers();
    try {
      let done: boolean | null = null;
      void waitMs(1000).then((v) => (done = v));
      await jest.advanceTimersByTimeAsync(999);
      expect(done).toBeNull();
      await jest.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      const controller = new AbortController();
      const aborted = waitMs(1000, controller.signal);
      controller.abort();
      expect(await aborted).toBe(false);
      expect(await waitMs(5, controller.signal)).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("waitMs with injected timers", () => {
  it("waits on the timers it is given and clears them on abort", async () => {
    const pending = new Map<number, () => void>();
    let next = 0;
    const timers: Timers = {
      setTimeout: (callback) => (pending.set(++next, callback), next),
      clearTimeout: (handle) => void pending.delete(handle as number),
    };
    const controller = new AbortController();
    const waited = waitMs(60_000, controller.signal, timers);
    expect(pending.size).toBe(1);
    controller.abort();
    expect(await waited).toBe(false);
    expect(pending.size).toBe(0);
    const passed = waitMs(60_000, undefined, timers);
    [...pending.values()][0]!();
    expect(await passed).toBe(true);
  });
});
