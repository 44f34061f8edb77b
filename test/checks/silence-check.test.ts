import { describe, expect, it } from "@jest/globals";
import { createLineActivity } from "../../src/checks/line-activity.js";
import { createSilenceCheck } from "../../src/checks/silence-check.js";
import { createCheckScheduler, type CheckTransition, type SchedulerTimers } from "../../src/checks/check-scheduler.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import type { CheckResult } from "../../src/types.js";
import { waitFor } from "../helpers/wait-for.js";

/** Timers that never fire by themselves: the test decides when a cycle happens. */
const manualTimers: SchedulerTimers = { setInterval: () => 0, clearInterval: () => undefined };

describe("silence check", () => {
  it("is log_silencioso when a source wrote nothing for max_quiet while its process lives", async () => {
    let nowMs = 0;
    const activity = createLineActivity();
    const check = createSilenceCheck({ source: "bot", maxQuietMs: 600_000, activity, nowMs: () => nowMs, isProcessAlive: () => true });
    activity.noteLine("bot", 0);
    nowMs = 300_000;
    const fine = await runCheckOnce(check, () => nowMs);
    expect(fine.ok).toBe(true);
    expect(fine.message).toBe("last line 5 min ago");

    nowMs = 720_000;
    const silent = await runCheckOnce(check, () => nowMs);
    expect(silent).toMatchObject({ check: "silence:bot", ok: false, errorType: "log_silencioso", fields: { quiet_s: "720" } });
    expect(silent.message).toBe("no lines for 12 min (max 10 min)");
  });

  it("counts from its creation when the source never wrote, and stays quiet when the process is down", async () => {
    let nowMs = 1000;
    let alive: boolean | null = false;
    const check = createSilenceCheck({
      source: "backend",
      maxQuietMs: 60_000,
      activity: createLineActivity(),
      nowMs: () => nowMs,
      isProcessAlive: () => alive,
    });
    nowMs = 62_000;
    const result = await runCheckOnce(check);
    expect(result.ok).toBe(true); // the process check owns this outage
    expect(result.message).toMatch(/process not running/);
    alive = null; // unknown counts as alive
    expect((await runCheckOnce(check)).ok).toBe(false);
  });

  it("is closed by the next line at once, without waiting for the next cycle", async () => {
    let nowMs = 0;
    const activity = createLineActivity();
    const transitions: CheckTransition[] = [];
    const results: CheckResult[] = [];
    const scheduler = createCheckScheduler({
      checks: [createSilenceCheck({ source: "bot", maxQuietMs: 1000, activity, nowMs: () => nowMs })],
      nowMs: () => nowMs,
      timers: manualTimers,
      onResult: (r) => results.push(r),
      onTransition: (t) => transitions.push(t),
    });
    scheduler.start();
    await waitFor(() => results.length === 1, "the first run");
    nowMs = 5000;
    await scheduler.runAll();
    expect(transitions.map((t) => t.state)).toEqual(["down"]);

    nowMs = 6000;
    activity.noteLine("bot", nowMs); // the engine calls this for every line
    await waitFor(() => transitions.length === 2, "the recovery");
    expect(transitions[1]).toMatchObject({ state: "up", result: { ok: true, message: "recovered: a new line after the silence", motivo: "recuperado: línea nueva tras el silencio" } });

    // Lines while the source is not silent do not trigger runs.
    activity.noteLine("bot", 6100);
    await new Promise((r) => setImmediate(r));
    expect(results).toHaveLength(3);
    await scheduler.stop();
  });
});
