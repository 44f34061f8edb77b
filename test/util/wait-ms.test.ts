import { describe, expect, it, jest } from "@jest/globals";
import { waitMs } from "../../src/util/wait-ms.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

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

describe("waitMs on an injected clock", () => {
  it("waits on the clock it is given and clears its timer on abort", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const waited = waitMs(60_000, controller.signal, clock);
    expect(clock.pendingTimers()).toBe(1);
    controller.abort();
    expect(await waited).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    let passed: boolean | null = null;
    void waitMs(60_000, undefined, clock).then((value) => (passed = value));
    await clock.advance(59_999);
    expect(passed).toBeNull();
    await clock.advance(1);
    expect(passed).toBe(true);
  });
});
