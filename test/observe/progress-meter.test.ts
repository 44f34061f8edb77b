import { describe, expect, it } from "@jest/globals";
import { startProgressMeter } from "../../src/observe/progress-meter.js";
import { formatProgressLine } from "../../src/observe/progress-line.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

/** A meter over scripted tailer figures, ticked by hand on a virtual clock moved by hand. */
function scriptMeter(minLagBytes = 1000) {
  const clock = new VirtualClock();
  let stats: Array<{ source: string; lagBytes: number; linesRead: number; bytesRead: number }> = [];
  let remediation = { running: 0, queued: 0 };
  const shown: string[] = [];
  const finished: string[] = [];
  const meter = startProgressMeter({
    input: { getSourceStats: () => stats, getRemediationLoad: () => remediation },
    show: (t) => shown.push(t),
    finish: (t) => finished.push(t),
    minLagBytes,
    everyMs: 60_000,
    clock,
  });
  return {
    shown,
    finished,
    step(ms: number, next: typeof stats, load = remediation) {
      clock.jump(ms);
      stats = next;
      remediation = load;
      meter.tick();
    },
    stop: () => meter.stop(),
  };
}

describe("the catch-up progress meter", () => {
  it("stays quiet while a live log is only a few bytes behind", () => {
    const m = scriptMeter();
    m.step(1000, [{ source: "bot", lagBytes: 120, linesRead: 10, bytesRead: 1200 }]);
    m.step(1000, [{ source: "bot", lagBytes: 0, linesRead: 20, bytesRead: 2400 }]);
    m.stop();
    expect([m.shown, m.finished]).toEqual([[], []]);
  });

  it("shows bytes and lines behind per source, the rate, the ETA and the remediation queue, then a caught-up line", () => {
    const m = scriptMeter();
    m.step(1000, []);
    // 100 bytes a line; 1 000 000 bytes behind, read at 500 000 bytes (5 000 lines) a second.
    m.step(1000, [
      { source: "bot", lagBytes: 600_000, linesRead: 3000, bytesRead: 300_000 },
      { source: "bot", lagBytes: 400_000, linesRead: 2000, bytesRead: 200_000 },
      { source: "backend", lagBytes: 0, linesRead: 0, bytesRead: 0 },
    ], { running: 2, queued: 15 });
    expect(m.shown).toEqual(["catch-up: bot 976.6 KB behind (~10 k lines), backend up to date · 5000 lines read, 5000 lines/s, ETA 2 s · remediation 2 running, 15 queued"]);
    m.step(2000, [{ source: "bot", lagBytes: 0, linesRead: 15_000, bytesRead: 1_500_000 }], { running: 1, queued: 0 });
    m.stop();
    expect(m.finished).toEqual(["caught up: 15 k lines in 3 s, 5000 lines/s · remediation 1 running, 0 queued"]);
  });

  it("says when the ETA cannot be told yet", () => {
    const line = formatProgressLine({ sources: [{ source: "bot", lagBytes: 5 * 1024 * 1024, bytesPerLine: null }], linesRead: 0, linesPerSecond: 0, bytesPerSecond: 0, remediation: { running: 0, queued: 0 } });
    expect(line).toBe("catch-up: bot 5.0 MB behind · 0 lines read, 0 lines/s, ETA ? · remediation 0 running, 0 queued");
  });
});
