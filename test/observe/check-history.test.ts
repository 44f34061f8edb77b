// The check history on disk: runs survive a restart (uptime and latency percentiles over the week come back),
// files past the retention are deleted, a line torn by a crash is skipped, `vigia report`'s reader deletes nothing.
import { describe, expect, it } from "@jest/globals";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CheckHistory, readCheckHistory } from "../../src/observe/check-history.js";
import { summarizeCheckHistory } from "../../src/observe/summarize-check-history.js";
import type { CheckResult } from "../../src/types.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const newTempDir = useTempDirs("vigia-checks-");

const DAY = 86_400_000;

function makeDir(): string {
  const dir = newTempDir();
  return join(dir, "checks");
}

function result(atMs: number, ok: boolean, durationMs: number): CheckResult {
  return {
    check: "http:backend",
    kind: "http",
    ok,
    severity: "critical",
    errorType: "servicio_caido",
    message: ok ? "HTTP 200" : "refused",
    motivo: ok ? "HTTP 200" : "conexión rechazada",
    durationMs,
    fields: { url: "http://127.0.0.1:8000/health" },
    atMs,
  };
}

describe("check history", () => {
  it("keeps every run across a restart, with uptime and latency percentiles", async () => {
    const dir = makeDir();
    const start = Date.parse("2026-12-01T10:00:00Z");
    const clock = new VirtualClock(start);
    const first = await CheckHistory.open({ dir, retentionDays: 7, clock });
    // Two days of runs every 6 h: 8 runs, 2 failed, latencies 10..80 ms.
    for (let i = 0; i < 8; i++) {
      if (i > 0) clock.jump(6 * 3_600_000);
      first.record(result(clock.now(), i !== 3 && i !== 6, (i + 1) * 10));
    }
    await first.flush();
    expect(readdirSync(dir).sort()).toEqual(["2026-12-01.jsonl", "2026-12-02.jsonl", "2026-12-03.jsonl"]);

    const second = await CheckHistory.open({ dir, retentionDays: 7, clock });
    const runs = second.list(start);
    expect(runs).toHaveLength(8);
    expect(runs[0]).toEqual({ at_ms: start, check: "http:backend", kind: "http", target: "http://127.0.0.1:8000/health", ok: true, latency_ms: 10, reason: "HTTP 200" });
    const [summary] = summarizeCheckHistory(runs);
    expect(summary).toMatchObject({ check: "http:backend", runs: 8, failures: 2, uptime: 0.75, p50Ms: 40, p95Ms: 80, maxMs: 80 });
  });

  it("deletes the files past the retention and skips a line torn by a crash", async () => {
    const dir = makeDir();
    mkdirSync(dir, { recursive: true });
    const now = Date.parse("2026-12-10T12:00:00Z");
    const line = (atMs: number) => `${JSON.stringify({ at_ms: atMs, check: "disk:/", kind: "disk", target: "/", ok: true, latency_ms: 1, reason: "ok" })}\n`;
    writeFileSync(join(dir, "2026-12-01.jsonl"), line(now - 9 * DAY));
    writeFileSync(join(dir, "2026-12-08.jsonl"), line(now - 2 * DAY));
    writeFileSync(join(dir, "2026-12-10.jsonl"), line(now - 1000));
    appendFileSync(join(dir, "2026-12-10.jsonl"), '{"at_ms": 17966'); // killed mid-append
    writeFileSync(join(dir, "notes.txt"), "not ours");

    // The report's reader looks without touching anything.
    expect(await readCheckHistory(dir, now - 30 * DAY)).toHaveLength(3);
    expect(existsSync(join(dir, "2026-12-01.jsonl"))).toBe(true);

    const history = await CheckHistory.open({ dir, retentionDays: 3, clock: new VirtualClock(now) });
    await history.flush();
    expect(history.list(0).map((r) => r.at_ms)).toEqual([now - 2 * DAY, now - 1000]);
    expect(readdirSync(dir).sort()).toEqual(["2026-12-08.jsonl", "2026-12-10.jsonl", "notes.txt"]);
    // Appending after the torn line starts a fresh, readable line.
    history.record({ ...result(now, true, 5), check: "disk:/" });
    await history.flush();
    expect(readFileSync(join(dir, "2026-12-10.jsonl"), "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });
});
