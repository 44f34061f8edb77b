/**
 * When the heartbeat stops: vigia failing its own job (journal not writable, a source with bytes to read that
 * stopped moving), never the things it reports (a failing check). Health documents as `/health` serves them,
 * time given as numbers.
 */
import { describe, expect, it } from "@jest/globals";
import type { HealthReport, HealthSource } from "../../src/observe/health-report.js";
import { HeartbeatJudge, stuckAfterMs } from "../../src/notify/heartbeat.js";

function healthWith(sources: Array<Pick<HealthSource, "offset" | "lag_bytes">>, extra: Partial<HealthReport> = {}): HealthReport {
  return {
    status: "ok",
    version: "0.0.0",
    uptime_s: 1,
    sources: sources.map((s, i) => ({ name: `s${i}`, path: `/logs/s${i}.log`, last_line_at: null, ...s })),
    rules: { loaded: 1, files: 1, last_reload: null, last_error: null },
    incidents_open: {},
    checks: [],
    notifier: { queued: 0, sent: 0, failed: 0, dropped: 0 },
    ...extra,
  };
}

describe("heartbeat judge", () => {
  it("waits at least 30 s, or two intervals, before calling a lagging source stuck", () => {
    expect(stuckAfterMs(1000)).toBe(30_000);
    expect(stuckAfterMs(60_000)).toBe(120_000);
  });

  it("keeps beating through a failing check and a source that is reading its backlog", () => {
    const judge = new HeartbeatJudge(30_000);
    const failingCheck = { check: "bot_api", ok: false, message: "ECONNREFUSED", at: "2025-12-25T14:30:00.000Z" };
    for (let t = 0, offset = 0; t <= 120_000; t += 10_000, offset += 5000) {
      expect(judge.judge(healthWith([{ offset, lag_bytes: 1_000_000 }], { status: "degraded", checks: [failingCheck] }), t)).toEqual({ beat: true });
    }
  });

  it("stops when a source has bytes to read and has not moved for the stuck time, and starts again when it moves", () => {
    const judge = new HeartbeatJudge(30_000);
    expect(judge.judge(healthWith([{ offset: 100, lag_bytes: 50 }]), 0)).toEqual({ beat: true });
    expect(judge.judge(healthWith([{ offset: 100, lag_bytes: 50 }]), 29_999)).toEqual({ beat: true });
    expect(judge.judge(healthWith([{ offset: 100, lag_bytes: 80 }]), 30_000)).toEqual({ beat: false, reason: "pipeline stuck: s0 (80 bytes unread for 30 s)" });
    expect(judge.judge(healthWith([{ offset: 180, lag_bytes: 0 }]), 31_000)).toEqual({ beat: true });
  });

  it("an idle source with nothing to read is never stuck", () => {
    const judge = new HeartbeatJudge(30_000);
    for (let t = 0; t <= 600_000; t += 60_000) expect(judge.judge(healthWith([{ offset: 100, lag_bytes: 0 }]), t)).toEqual({ beat: true });
  });

  it("stops while the journal cannot be written, and while starting or stopping", () => {
    const judge = new HeartbeatJudge(30_000);
    const journal = { path: "logs/descarga_errors.json", ok: false, unwritten: 3, failing_since: "2025-12-25T14:30:00.000Z", last_error: "ENOSPC: no space left on device" };
    expect(judge.judge(healthWith([], { status: "degraded", journal }), 0)).toEqual({
      beat: false,
      reason: "journal logs/descarga_errors.json cannot be written (ENOSPC: no space left on device)",
    });
    expect(judge.judge(healthWith([], { status: "stopping" }), 0)).toEqual({ beat: false, reason: "vigia is stopping" });
  });
});
