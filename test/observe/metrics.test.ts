import { describe, expect, it } from "@jest/globals";
import { createMetrics } from "../../src/observe/metrics.js";
import type { CheckResult } from "../../src/types.js";
import { parsePrometheusText } from "./metrics-prometheus-text.js";

function checkResult(check: string, ok: boolean, durationMs: number): CheckResult {
  return { check, kind: "http", ok, severity: ok ? "info" : "critical", errorType: "servicio_caido", message: "", durationMs, fields: {}, atMs: 0 };
}

describe("vigia metrics", () => {
  it("gives each instance its own registry", async () => {
    const a = createMetrics({ collectProcessMetrics: false });
    const b = createMetrics({ collectProcessMetrics: false });
    a.linesRead.inc({ source: "bot" }, 5);
    expect(parsePrometheusText(await a.registry.metrics()).valueOf("vigia_lines_read_total", { source: "bot" })).toBe(5);
    expect(parsePrometheusText(await b.registry.metrics()).valueOf("vigia_lines_read_total", { source: "bot" })).toBeUndefined();
  });

  it("counts a scenario: lines, matches, incidents, remediation, notifier, checks, tailer, reloads, journal", async () => {
    const m = createMetrics();
    // 3 lines of a traceback grouped into one event that matched one rule, then remediated in two attempts.
    m.linesRead.inc({ source: "bot" }, 3);
    m.bytesRead.inc({ source: "bot" }, 180);
    m.events.inc({ source: "bot" });
    m.ruleMatches.inc({ rule: "ruta_inexistente" });
    m.thresholdHeldMatches.inc({ rule: "rate_limit" }, 2);
    for (const estado of ["detectado", "reintentando", "solucionado"]) m.incidentTransitions.inc({ error_type: "ruta_inexistente", estado });
    m.recordIncidentCounts({ ruta_inexistente: { reintentando: 2 }, servidor_caido: { pendiente: 1 } });
    m.recordIncidentCounts({ ruta_inexistente: { solucionado: 3 } });
    m.remediationAttempts.inc({ rule: "ruta_inexistente", action: "mkdir" }, 2);
    m.remediationOutcomes.inc({ rule: "ruta_inexistente", outcome: "solucionado" });
    m.actionDuration.observe({ action: "mkdir" }, 0.003);
    m.actionDuration.observe({ action: "mkdir" }, 0.2);
    m.notificationsSent.inc({ channel: "telegram" });
    m.notificationsFailed.inc({ channel: "webhook" });
    m.notificationsDropped.inc({ channel: "telegram" }, 4);
    m.recordCheckResult(checkResult("http:backend", false, 5000));
    m.recordCheckResult(checkResult("http:backend", true, 23));
    m.tailerRotations.inc({ source: "bot" });
    m.tailerTruncations.inc({ source: "backend" });
    m.truncatedLines.inc({ source: "bot" });
    m.ruleReloads.inc({ outcome: "ok" });
    m.ruleReloads.inc({ outcome: "failed" });
    m.rulesLoaded.set(12);
    m.journalWrites.inc({ outcome: "ok" }, 3);
    m.journalWriteDuration.observe(0.004);

    const text = await m.registry.metrics();
    const p = parsePrometheusText(text);
    expect(p.valueOf("vigia_lines_read_total", { source: "bot" })).toBe(3);
    expect(p.valueOf("vigia_bytes_read_total", { source: "bot" })).toBe(180);
    expect(p.valueOf("vigia_events_total", { source: "bot" })).toBe(1);
    expect(p.valueOf("vigia_rule_matches_total", { rule: "ruta_inexistente" })).toBe(1);
    expect(p.valueOf("vigia_threshold_held_matches_total", { rule: "rate_limit" })).toBe(2);
    expect(p.valueOf("vigia_incident_transitions_total", { error_type: "ruta_inexistente", estado: "solucionado" })).toBe(1);
    // The gauge shows the latest snapshot only: old estados are gone.
    expect(p.valueOf("vigia_incidents", { error_type: "ruta_inexistente", estado: "solucionado" })).toBe(3);
    expect(p.valueOf("vigia_incidents", { error_type: "ruta_inexistente", estado: "reintentando" })).toBeUndefined();
    expect(p.valueOf("vigia_incidents", { error_type: "servidor_caido", estado: "pendiente" })).toBeUndefined();
    expect(p.valueOf("vigia_remediation_attempts_total", { rule: "ruta_inexistente", action: "mkdir" })).toBe(2);
    expect(p.valueOf("vigia_remediation_outcomes_total", { rule: "ruta_inexistente", outcome: "solucionado" })).toBe(1);
    expect(p.valueOf("vigia_action_duration_seconds_count", { action: "mkdir" })).toBe(2);
    expect(p.valueOf("vigia_action_duration_seconds_bucket", { action: "mkdir", le: "0.005" })).toBe(1);
    expect(p.valueOf("vigia_action_duration_seconds_bucket", { action: "mkdir", le: "+Inf" })).toBe(2);
    expect(p.valueOf("vigia_notifications_sent_total", { channel: "telegram" })).toBe(1);
    expect(p.valueOf("vigia_notifications_failed_total", { channel: "webhook" })).toBe(1);
    expect(p.valueOf("vigia_notifications_dropped_total", { channel: "telegram" })).toBe(4);
    expect(p.valueOf("vigia_check_runs_total", { check: "http:backend", result: "fail" })).toBe(1);
    expect(p.valueOf("vigia_check_runs_total", { check: "http:backend", result: "ok" })).toBe(1);
    expect(p.valueOf("vigia_check_up", { check: "http:backend" })).toBe(1);
    expect(p.valueOf("vigia_check_duration_seconds_sum", { check: "http:backend" })).toBeCloseTo(5.023);
    expect(p.valueOf("vigia_tailer_rotations_total", { source: "bot" })).toBe(1);
    expect(p.valueOf("vigia_tailer_truncations_total", { source: "backend" })).toBe(1);
    expect(p.valueOf("vigia_truncated_lines_total", { source: "bot" })).toBe(1);
    expect(p.valueOf("vigia_rule_reloads_total", { outcome: "failed" })).toBe(1);
    expect(p.valueOf("vigia_rules_loaded")).toBe(12);
    expect(p.valueOf("vigia_journal_writes_total", { outcome: "ok" })).toBe(3);
    expect(p.valueOf("vigia_journal_write_duration_seconds_count")).toBe(1);

    expect(p.types.get("vigia_lines_read_total")).toBe("counter");
    expect(p.types.get("vigia_incidents")).toBe("gauge");
    expect(p.types.get("vigia_action_duration_seconds")).toBe("histogram");
    // Process metrics from prom-client's default collectors.
    expect(p.valueOf("process_cpu_user_seconds_total")).toBeGreaterThanOrEqual(0);
    expect(p.samples.some((s) => s.name === "nodejs_heap_size_used_bytes")).toBe(true);
  });

  it("labels vigia's own metrics only with bounded label names", async () => {
    const m = createMetrics({ collectProcessMetrics: false });
    m.linesRead.inc({ source: "bot" });
    m.recordCheckResult(checkResult("disk:.", true, 1));
    m.recordIncidentCounts({ disco_lleno: { detectado: 1 } });
    m.remediationAttempts.inc({ rule: "r", action: "exec" });
    const allowed = new Set(["source", "rule", "error_type", "estado", "action", "outcome", "channel", "check", "result", "le"]);
    const used = new Set(parsePrometheusText(await m.registry.metrics()).samples.flatMap((s) => Object.keys(s.labels)));
    for (const label of used) expect(allowed).toContain(label);
  });
});
