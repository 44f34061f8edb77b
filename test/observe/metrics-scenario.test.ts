/**
 * /metrics after a real session: `vigia run` tails a real bot log, the shipped rules fix one incident (a missing
 * folder: mkdir) and fail another (a chown outside the allowed roots), alerts go to a fake Bot API that grammY
 * really talks to and to a webhook on 127.0.0.1, an exec check runs. Then the status endpoint is scraped over
 * HTTP, as Prometheus does: every metric vigia declares must be there with a value, and the ones this session
 * exercised must have moved. Then the log is rotated and the rules edited, and those counters move too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { renameSync } from "node:fs";
import { FakeTelegram, FakeWebhookReceiver } from "../helpers/fake-telegram.js";
import { createMetrics } from "../../src/observe/metrics.js";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatFileNotFoundTraceback, formatPythonLine, readJournal, startVigia } from "../e2e/vigia-harness.js";
import { parsePrometheusText, type ParsedMetrics } from "./metrics-prometheus-text.js";

const TOKEN = "123456:METRICS-secret-token-do-not-show";

let telegram: FakeTelegram;
let webhook: FakeWebhookReceiver;

beforeAll(async () => {
  telegram = await FakeTelegram.start({ validToken: TOKEN });
  webhook = await FakeWebhookReceiver.start();
});
afterAll(async () => {
  await telegram.close();
  await webhook.close();
});
afterEach(cleanUpTest);

/** Every metric vigia declares: name and type, read from a fresh registry. */
async function listDeclaredMetrics(): Promise<Array<{ name: string; type: string }>> {
  const { registry } = createMetrics({ collectProcessMetrics: false });
  return (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
}

function configYaml(): string {
  return [
    "status: { listen: '127.0.0.1:0' }",
    "checks:",
    "  disk: null",
    "  exec:",
    "    - { name: listo, command: ['true'] }",
    "remediation:",
    "  allowed_roots: [modelos]",
    "  backoff: [0.1, 0.2, 0.4]",
    "notify:",
    `  telegram: { token: '${TOKEN}', chat_id: 4242, api_root: '${telegram.apiRoot}' }`,
    `  webhook: { url: '${webhook.url}' }`,
    "",
  ].join("\n");
}

describe("/metrics after a real session", () => {
  it("shows every declared metric with a value, and the ones the session exercised have moved", async () => {
    const ws = createWorkspace({ config: configYaml() });
    ws.write(BOT_LOG, "");
    const vigia = await startVigia(ws);
    const port = Number((await vigia.waitForLog(/status: http:\/\/127\.0\.0\.1:(\d+)\/health/))[1]);
    const scrape = async (): Promise<{ text: string; parsed: ParsedMetrics }> => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return { text, parsed: parsePrometheusText(text) };
    };

    // Before anything happened, the series are there at 0: a rate() or an alert on them works from the start.
    const before = (await scrape()).parsed;
    expect(before.valueOf("vigia_incident_transitions_total", { error_type: "ruta_inexistente", estado: "detectado" })).toBe(0);
    expect(before.valueOf("vigia_notifications_failed_total", { channel: "telegram" })).toBe(0);
    expect(before.valueOf("vigia_bytes_read_total", { source: "backend" })).toBe(0);

    const appended =
      formatPythonLine("INFO", "Descargando video para modelo ana: modelos/ana/20251225_143020_a3f2b1.mp4") +
      formatFileNotFoundTraceback("modelos/ana/20251225_143020_a3f2b1.mp4") +
      formatPythonLine("ERROR", "PermissionError: [Errno 13] Permission denied: '/etc/shadow'", "2025-12-25 14:30:21,500") +
      formatPythonLine("INFO", "Bot sigue en marcha", "2025-12-25 14:30:22,000");
    ws.append(BOT_LOG, appended);

    await waitFor(
      () => {
        const byType = new Map(readJournal(ws).map((i) => [i.error_type, i.estado]));
        return byType.get("ruta_inexistente") === "solucionado" && byType.get("permisos") === "fallido";
      },
      { what: "ruta_inexistente solucionado and permisos fallido in the journal", timeoutMs: 60_000, describe: vigia.stderr },
    );
    const { text, parsed: p } = await waitFor(
      async () => {
        const s = await scrape();
        const sent = (channel: string) => s.parsed.valueOf("vigia_notifications_sent_total", { channel }) ?? 0;
        const checked = s.parsed.valueOf("vigia_check_runs_total", { check: "exec:listo", result: "ok" }) ?? 0;
        // The last line is an event once the grouper's idle time (multiline.flush_ms) has passed.
        const events = s.parsed.valueOf("vigia_events_total", { source: "bot" }) ?? 0;
        return sent("telegram") > 0 && sent("webhook") > 0 && checked > 0 && events >= 4 && s;
      },
      { what: "a Telegram message, a webhook post, an exec check run and the 4 events counted on /metrics", timeoutMs: 60_000, describe: vigia.stderr },
    );

    // Every declared metric is exported with a value (histograms through their _count).
    const declared = await listDeclaredMetrics();
    expect(declared.length).toBeGreaterThanOrEqual(25);
    const missing = declared.filter(({ name, type }) => {
      const sampleName = type === "histogram" ? `${name}_count` : name;
      return !p.samples.some((s) => s.name === sampleName && Number.isFinite(s.value));
    });
    expect(missing).toEqual([]);
    for (const { name, type } of declared) expect([name, p.types.get(name)]).toEqual([name, type]);

    // Sources: exactly the bytes appended, every line, grouped into events; nothing left unread.
    expect(p.valueOf("vigia_bytes_read_total", { source: "bot" })).toBe(Buffer.byteLength(appended));
    expect(p.valueOf("vigia_lines_read_total", { source: "bot" })).toBe(appended.split("\n").length - 1);
    expect(p.valueOf("vigia_events_total", { source: "bot" })).toBe(4);
    expect(p.valueOf("vigia_source_lag_bytes", { source: "bot" })).toBe(0);
    expect(p.valueOf("vigia_lines_read_total", { source: "backend" })).toBe(0);

    // Rules and incidents: both walked their states, detectado included; none is open any more.
    expect(p.valueOf("vigia_rule_matches_total", { rule: "ruta_inexistente" })).toBe(1);
    expect(p.valueOf("vigia_rule_matches_total", { rule: "permisos" })).toBe(1);
    expect(p.valueOf("vigia_rules_loaded")).toBeGreaterThan(0);
    for (const estado of ["detectado", "pendiente", "solucionado"]) {
      expect([estado, p.valueOf("vigia_incident_transitions_total", { error_type: "ruta_inexistente", estado })]).toEqual([estado, 1]);
    }
    for (const estado of ["detectado", "fallido"]) {
      expect([estado, p.valueOf("vigia_incident_transitions_total", { error_type: "permisos", estado })]).toEqual([estado, 1]);
    }
    expect(p.valueOf("vigia_incident_transitions_total", { error_type: "permisos", estado: "solucionado" })).toBe(0);
    expect(p.valueOf("vigia_open_incidents", { error_type: "ruta_inexistente", estado: "reintentando" })).toBe(0);

    // Remediation: the mkdir worked at its first attempt, the chown was refused and not retried.
    expect(p.valueOf("vigia_remediation_attempts_total", { rule: "ruta_inexistente" })).toBe(1);
    expect(p.valueOf("vigia_remediation_attempts_total", { rule: "permisos" })).toBe(1);
    expect(p.valueOf("vigia_remediation_actions_total", { rule: "ruta_inexistente", action: "mkdir", result: "ok" })).toBe(1);
    expect(p.valueOf("vigia_remediation_actions_total", { rule: "permisos", action: "chown", result: "failed" })).toBe(1);
    expect(p.valueOf("vigia_remediation_outcomes_total", { rule: "ruta_inexistente", outcome: "solucionado" })).toBe(1);
    expect(p.valueOf("vigia_remediation_outcomes_total", { rule: "permisos", outcome: "fallido" })).toBe(1);
    expect(p.valueOf("vigia_remediation_action_duration_seconds_count", { action: "mkdir" })).toBe(1);
    expect(p.valueOf("vigia_remediation_action_duration_seconds_count", { action: "chown" })).toBe(1);

    // Alerts: the failure reached Telegram and the webhook; nothing failed, dropped or waits.
    expect(telegram.callsTo("sendMessage").length).toBeGreaterThan(0);
    expect(p.valueOf("vigia_notifications_sent_total", { channel: "telegram" })).toBe(telegram.callsTo("sendMessage").length);
    expect(p.valueOf("vigia_notifications_sent_total", { channel: "webhook" })).toBe(webhook.requests.length);
    for (const channel of ["telegram", "webhook"]) {
      expect([channel, p.valueOf("vigia_notifications_failed_total", { channel })]).toEqual([channel, 0]);
      expect([channel, p.valueOf("vigia_notifications_dropped_total", { channel })]).toEqual([channel, 0]);
      expect([channel, p.valueOf("vigia_notifications_queued", { channel })]).toEqual([channel, 0]);
    }

    // Checks and the journal.
    expect(p.valueOf("vigia_check_up", { check: "exec:listo" })).toBe(1);
    expect(p.valueOf("vigia_check_duration_seconds_count", { check: "exec:listo" })).toBeGreaterThan(0);
    expect(p.valueOf("vigia_journal_writes_total", { outcome: "ok" })).toBeGreaterThan(0);
    expect(p.valueOf("vigia_journal_writes_total", { outcome: "failed" })).toBe(0);
    expect(p.valueOf("vigia_journal_write_duration_seconds_count")).toBe(p.valueOf("vigia_journal_writes_total", { outcome: "ok" }));

    // Secrets never become labels; label values are bounded (no paths from the log lines).
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("METRICS-secret");
    expect(text).not.toContain("/etc/shadow");
    expect(text).not.toContain("modelos/ana");

    // logrotate moves the log away and the bot starts a new one; an operator edits the rules.
    renameSync(ws.at(BOT_LOG), ws.at(`${BOT_LOG}.1`));
    ws.write(BOT_LOG, formatPythonLine("INFO", "Bot iniciado", "2025-12-25 14:35:00,000"));
    ws.append("rules/descargas.yaml", "\n# revisado\n");
    const after = await waitFor(
      async () => {
        const s = (await scrape()).parsed;
        const rotated = s.valueOf("vigia_tailer_rotations_total", { source: "bot" }) === 1;
        const reloaded = s.valueOf("vigia_rule_reloads_total", { outcome: "ok" }) === 1;
        const newLineRead = s.valueOf("vigia_lines_read_total", { source: "bot" }) === appended.split("\n").length;
        return rotated && reloaded && newLineRead && s;
      },
      { what: "the rotation, the new file's line and the rule reload counted on /metrics", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(after.valueOf("vigia_rule_reloads_total", { outcome: "failed" })).toBe(0);

    expect((await vigia.stop()).code).toBe(0);
  });
});
