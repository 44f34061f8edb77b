import { describe, expect, it } from "@jest/globals";
import type { Check, CheckProbe } from "../../src/checks/check.js";
import { createCheckScheduler, type CheckTransition } from "../../src/checks/check-scheduler.js";
import type { CheckResult } from "../../src/types.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

/** A check whose runs finish when the test says so. */
function createControlledCheck(id: string, options: Partial<Check> = {}) {
  const pending: Array<(probe: CheckProbe) => void> = [];
  let runs = 0;
  const check: Check = {
    id,
    kind: "exec",
    errorType: "comando_fallido",
    severity: "warning",
    timeoutMs: 60_000,
    failureThreshold: 1,
    probe: () => {
      runs++;
      return new Promise<CheckProbe>((resolve) => pending.push(resolve));
    },
    ...options,
  };
  return {
    check,
    runs: () => runs,
    finish(probe: CheckProbe) {
      pending.shift()!(probe);
    },
    pending: () => pending.length,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("check scheduler", () => {
  it("runs checks concurrently: a slow check neither delays the others nor runs twice at once", async () => {
    const clock = new VirtualClock();
    const slow = createControlledCheck("exec:slow", { timeoutMs: 600_000 });
    const fast = createControlledCheck("exec:fast");
    const results: CheckResult[] = [];
    const scheduler = createCheckScheduler({ checks: [slow.check, fast.check], intervalMs: 30_000, clock, onResult: (r) => results.push(r) });

    scheduler.start();
    expect([slow.runs(), fast.runs()]).toEqual([1, 1]); // both started at once
    fast.finish({ ok: true, message: "fast", motivo: "fast" });
    await flush();
    expect(results.map((r) => r.check)).toEqual(["exec:fast"]); // not waiting for the slow one

    for (let cycle = 0; cycle < 3; cycle++) {
      await clock.advance(30_000);
      fast.finish({ ok: true, message: "fast", motivo: "fast" });
      await flush();
    }
    expect(fast.runs()).toBe(4);
    expect(slow.runs()).toBe(1); // still running: skipped, never stacked
    expect(scheduler.isRunning("exec:slow")).toBe(true);

    slow.finish({ ok: false, message: "slow failure", motivo: "slow failure" });
    await flush();
    expect(results.filter((r) => r.check === "exec:slow")).toHaveLength(1);
    await clock.advance(30_000);
    expect(slow.runs()).toBe(2);
    slow.finish({ ok: true, message: "ok", motivo: "ok" });
    fast.finish({ ok: true, message: "ok", motivo: "ok" });
    await scheduler.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("honours a check's own cadence (bot_api every 10 s) alongside the cycle", async () => {
    const clock = new VirtualClock();
    const botApi = createControlledCheck("bot_api", { intervalMs: 10_000 });
    const disk = createControlledCheck("disk:/");
    const scheduler = createCheckScheduler({ checks: [botApi.check, disk.check], clock });
    scheduler.start();
    const runsAfter: number[][] = [];
    for (let k = 1; k <= 3; k++) {
      botApi.finish({ ok: true, message: "", motivo: "" });
      if (disk.pending() > 0) disk.finish({ ok: true, message: "", motivo: "" });
      await clock.advance(10_000);
      runsAfter.push([botApi.runs(), disk.runs()]);
    }
    expect(runsAfter).toEqual([[2, 1], [3, 1], [4, 2]]);
    botApi.finish({ ok: true, message: "", motivo: "" });
    disk.finish({ ok: true, message: "", motivo: "" });
    await scheduler.stop();
  });

  it("times out a hung probe with its own timeout and records how long it took", async () => {
    const clock = new VirtualClock();
    const hung = createControlledCheck("exec:hung", { timeoutMs: 50 });
    const scheduler = createCheckScheduler({ checks: [hung.check], clock });
    const run = scheduler.runAll();
    await clock.advance(49);
    expect(scheduler.isRunning("exec:hung")).toBe(true);
    await clock.advance(1);
    const [result] = await run;
    expect(result).toMatchObject({ ok: false, message: "check timed out after 50 ms", fields: { reason: "check_timeout" } });
    expect(result!.durationMs).toBe(50);
    expect(scheduler.isRunning("exec:hung")).toBe(false);
  });

  it("turns a probe that throws into a failed result", async () => {
    const scheduler = createCheckScheduler({
      checks: [{ ...createControlledCheck("exec:boom").check, probe: async () => { throw new Error("EACCES on /proc"); } }],
    });
    const [result] = await scheduler.runAll();
    expect(result).toMatchObject({ ok: false, message: "check failed: EACCES on /proc" });
  });

  it("emits transitions with the injected clock and keeps going when a consumer throws", async () => {
    const clock = new VirtualClock(5_000);
    let outcome = false;
    const errors: unknown[] = [];
    const transitions: CheckTransition[] = [];
    const scheduler = createCheckScheduler({
      checks: [{ ...createControlledCheck("exec:x").check, probe: async () => ({ ok: outcome, message: String(outcome), motivo: String(outcome) }) }],
      clock,
      onResult: () => {
        throw new Error("consumer bug");
      },
      onTransition: (t) => transitions.push(t),
      onError: (e) => errors.push(e),
    });
    await scheduler.runAll();
    await clock.advance(30_000);
    outcome = true;
    await scheduler.runAll();
    expect(transitions.map((t) => [t.state, t.result.atMs])).toEqual([["down", 5_000], ["up", 35_000]]);
    expect(errors).toHaveLength(2);
    expect(scheduler.getLastResults().map((r) => r.message)).toEqual(["true"]);
    expect(scheduler.getState("exec:x")).toMatchObject({ status: "up", consecutiveFailures: 0 });
  });

  it("drops results of probes cut short by stop(): shutting down is not an outage", async () => {
    let aborted = false;
    const results: CheckResult[] = [];
    const scheduler = createCheckScheduler({
      checks: [
        {
          ...createControlledCheck("http:x").check,
          probe: (signal) =>
            new Promise<CheckProbe>((resolve) =>
              signal.addEventListener("abort", () => {
                aborted = true;
                resolve({ ok: false, message: "aborted", motivo: "cancelado" });
              }),
            ),
        },
      ],
      clock: new VirtualClock(),
      onResult: (r) => results.push(r),
    });
    scheduler.start();
    await scheduler.stop();
    expect(aborted).toBe(true);
    expect(results).toEqual([]);
  });

  it("refuses two checks with one id", () => {
    const a = createControlledCheck("disk:/").check;
    expect(() => createCheckScheduler({ checks: [a, a] })).toThrow(/duplicate check id disk:\//);
  });
});
