/**
 * When the heartbeat stops: vigia failing its own job (journal not writable, a pipeline stage holding work it does
 * not move on), never the things it reports (a failing check). Health documents as `/health` serves them.
 */
import { describe, expect, it } from "@jest/globals";
import type { HealthReport, HealthStage } from "../../src/observe/health-report.js";
import { judgeHeartbeat } from "../../src/notify/heartbeat.js";

function healthWith(stages: HealthStage[], extra: Partial<HealthReport> = {}): HealthReport {
  return {
    status: "ok",
    version: "0.0.0",
    uptime_s: 1,
    sources: [],
    rules: { loaded: 1, files: 1, last_reload: null, last_error: null },
    incidents_open: {},
    checks: [],
    notifier: { queued: 0, sent: 0, failed: 0, dropped: 0 },
    pipeline: { stuck_after_s: 30, stages },
    ...extra,
  };
}

const moving: HealthStage = { stage: "match", unit: "events", in: 120, out: 100, waiting: 20, stalled_s: null, stuck: false };

describe("heartbeat judge", () => {
  it("keeps beating through a failing check and stages that move or wait less than the stuck time", () => {
    const failingCheck = { check: "bot_api", ok: false, message: "ECONNREFUSED", motivo: "conexión rechazada", at: "2025-12-25T14:30:00.000Z" };
    const waitingABit: HealthStage = { stage: "journal", unit: "changes", in: 3, out: 1, waiting: 2, stalled_s: 29, stuck: false };
    expect(judgeHeartbeat(healthWith([moving, waitingABit], { status: "degraded", checks: [failingCheck] }))).toEqual({ beat: true });
  });

  it("stops while a stage is stuck, naming each stuck stage with what waits and for how long", () => {
    const read: HealthStage = { stage: "read", source: "bot", unit: "bytes", in: 180, out: 100, waiting: 80, stalled_s: 30, stuck: true };
    const journal: HealthStage = { stage: "journal", unit: "changes", in: 4, out: 1, waiting: 3, stalled_s: 31, stuck: true };
    expect(judgeHeartbeat(healthWith([read, moving, journal]))).toEqual({
      beat: false,
      reason: "pipeline stuck at read bot (80 bytes waiting, no progress for 30 s), journal (3 changes waiting, no progress for 31 s)",
    });
  });

  it("stops while the journal cannot be written, and while starting or stopping", () => {
    const journal = { path: "logs/descarga_errors.json", ok: false, unwritten: 3, failing_since: "2025-12-25T14:30:00.000Z", last_error: "ENOSPC: no space left on device" };
    expect(judgeHeartbeat(healthWith([], { status: "degraded", journal }))).toEqual({
      beat: false,
      reason: "journal logs/descarga_errors.json cannot be written (ENOSPC: no space left on device)",
    });
    expect(judgeHeartbeat(healthWith([], { status: "stopping" }))).toEqual({ beat: false, reason: "vigia is stopping" });
    // A stage that threw stopped the pipeline for good: nothing waits anywhere, yet no line is matched any more.
    const failed = { stuck_after_s: 30, stages: [{ ...moving, in: 100, out: 100, waiting: 0 }], failed: "TypeError: boom" };
    expect(judgeHeartbeat(healthWith([], { status: "degraded", pipeline: failed }))).toEqual({ beat: false, reason: "pipeline stopped: TypeError: boom" });
  });
});
