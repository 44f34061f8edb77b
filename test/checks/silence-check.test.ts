import { describe, expect, it } from "@jest/globals";
import { createLineActivity } from "../../src/checks/line-activity.js";
import { createSilenceCheck } from "../../src/checks/silence-check.js";
import { createCheckScheduler, type CheckTransition } from "../../src/checks/check-scheduler.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import type { CheckResult } from "../../src/types.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "../helpers/wait-for.js";

describe("silence check", () => {
  it("is log_silencioso when a source wrote nothing for max_quiet while its process lives", async () => {
    const clock = new VirtualClock(0);
    const activity = createLineActivity();
    const check = createSilenceCheck({ source: "bot", maxQuietMs: 600_000, activity, clock, isProcessAlive: () => true });
    activity.noteLine("bot", 0);
    await clock.advance(300_000);
    const fine = await runCheckOnce(check, clock);
    expect(fine.ok).toBe(true);
    expect(fine.message).toBe("last line 5 min ago");

    await clock.advance(420_000);
    const silent = await runCheckOnce(check, clock);
    expect(silent).toMatchObject({ check: "silence:bot", ok: false, errorType: "log_silencioso", fields: { quiet_s: "720" } });
    expect(silent.message).toBe("no lines for 12 min (max 10 min)");
  });

  it("counts from its creation when the source never wrote, and stays quiet when the process is down", async () => {
    const clock = new VirtualClock(1000);
    let alive: boolean | null = false;
    const check = createSilenceCheck({
      source: "backend",
      maxQuietMs: 60_000,
      activity: createLineActivity(),
      clock,
      isProcessAlive: () => alive,
    });
    await clock.advance(61_000);
    const result = await runCheckOnce(check);
    expect(result.ok).toBe(true); // the process check owns this outage
    expect(result.message).toMatch(/process not running/);
    alive = null; // unknown counts as alive
    expect((await runCheckOnce(check)).ok).toBe(false);
  });

  it("is closed by the next line at once, without waiting for the next cycle", async () => {
    const clock = new VirtualClock(0);
    const activity = createLineActivity();
    const transitions: CheckTransition[] = [];
    const results: CheckResult[] = [];
    const scheduler = createCheckScheduler({
      checks: [createSilenceCheck({ source: "bot", maxQuietMs: 1000, activity, clock })],
      clock,
      onResult: (r) => results.push(r),
      onTransition: (t) => transitions.push(t),
    });
    scheduler.start();
    await waitFor(() => results.length === 1, "the first run");
    await clock.advance(5000);
    await scheduler.runAll();
    expect(transitions.map((t) => t.state)).toEqual(["down"]);

    await clock.advance(1000);
    activity.noteLine("bot", clock.now()); // the engine calls this for every line
    await waitFor(() => transitions.length === 2, "the recovery");
    expect(transitions[1]).toMatchObject({ state: "up", result: { ok: true, message: "recovered: a new line after the silence", motivo: "recuperado: línea nueva tras el silencio" } });

    // Lines while the source is not silent do not trigger runs.
    activity.noteLine("bot", 6100);
    await new Promise((r) => setImmediate(r));
    expect(results).toHaveLength(3);
    await scheduler.stop();
  });
});
