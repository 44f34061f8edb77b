/**
 * The metrics as the stages move them: a real incident manager, notifier (talking to a fake Bot API and webhook)
 * and journal writer, each wired to the metrics the way the engine wires them; then the registry's Prometheus
 * text is read. The whole daemon under a real session is in metrics-scenario.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import { JournalWriter } from "../../src/incidents/journal-writer.js";
import { Notifier, formatSessionSummary } from "../../src/notify/index.js";
import { createMetrics, type VigiaMetrics } from "../../src/observe/metrics.js";
import { recordIncidentMetrics, trackOpenIncidents } from "../../src/observe/record-incident-metrics.js";
import { recordJournalWrite } from "../../src/observe/record-journal-metrics.js";
import { createDeliveryRecorder, trackNotifierQueues } from "../../src/observe/record-notifier-metrics.js";
import { recordRulesLoaded } from "../../src/observe/record-rule-metrics.js";
import { FakeTelegram, FakeWebhookReceiver } from "../helpers/fake-telegram.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { parsePrometheusText, type ParsedMetrics } from "./metrics-prometheus-text.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const newTempDir = useTempDirs("vigia-metrics-journal-");

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function scrape(metrics: VigiaMetrics): Promise<ParsedMetrics> {
  return parsePrometheusText(await metrics.registry.metrics());
}

describe("vigia metrics", () => {
  it("gives each instance its own registry", async () => {
    const a = createMetrics({ collectProcessMetrics: false });
    const b = createMetrics({ collectProcessMetrics: false });
    a.linesRead.inc({ source: "bot" }, 5);
    expect((await scrape(a)).valueOf("vigia_lines_read_total", { source: "bot" })).toBe(5);
    expect((await scrape(b)).valueOf("vigia_lines_read_total", { source: "bot" })).toBeUndefined();
  });

  it("follows an incident's life from the incident stream: detectado at opening, each estado once, held matches", async () => {
    const clock = new VirtualClock(Date.parse("2025-12-25T14:30:20Z"));
    const manager = new IncidentManager({ clock });
    manager.changes$.subscribe((change) => change.type === "reverify" && change.request.settle(true));
    const missing = makeRule({ id: "ruta_inexistente", keyTemplate: "{path}", actions: [{ type: "mkdir", path: "{path}" }] });
    const slow = makeRule({ id: "timeout", threshold: { count: 3, withinMs: 60_000 } });
    const metrics = createMetrics({ collectProcessMetrics: false });
    recordRulesLoaded(metrics, [missing, slow]);
    const subscription = recordIncidentMetrics(manager.changes$, metrics);
    trackOpenIncidents(metrics, () => manager.listOpen());

    const match = makeMatch(missing, { path: "modelos/ana/v1.mp4" });
    manager.handleEvent(match.event, match);
    const [incident] = manager.listOpen();
    let p = await scrape(metrics);
    expect(p.valueOf("vigia_incident_transitions_total", { error_type: "ruta_inexistente", estado: "detectado" })).toBe(1);
    expect(p.valueOf("vigia_open_incidents", { error_type: "ruta_inexistente", estado: "detectado" })).toBe(1);
    expect(p.valueOf("vigia_open_incidents", { error_type: "timeout", estado: "detectado" })).toBe(0);

    // The fix itself, two retries (one estado: counted once), a note, then solved.
    clock.jump(1000);
    manager.transition(incident!.id, "pendiente", { accion: "mkdir -p modelos/ana", intento: 0 });
    manager.transition(incident!.id, "reintentando", { accion: "reintento 1/3", intento: 1 });
    manager.transition(incident!.id, "reintentando", { accion: "reintento 2/3", intento: 2 });
    p = await scrape(metrics);
    expect(p.valueOf("vigia_open_incidents", { error_type: "ruta_inexistente", estado: "reintentando" })).toBe(1);
    expect(p.valueOf("vigia_open_incidents", { error_type: "ruta_inexistente", estado: "detectado" })).toBe(0);
    manager.note(incident!.id, { accion: "bot parado" });
    manager.transition(incident!.id, "solucionado", { accion: "mkdir -p modelos/ana", intento: 2 });

    // Two of the three matches a threshold wants: held, no incident.
    for (const n of [1, 2]) {
      const held = makeMatch(slow, {}, makeEvent(`Timed out ${n}`));
      manager.handleEvent(held.event, held);
    }

    p = await scrape(metrics);
    const transitions = (estado: string) => p.valueOf("vigia_incident_transitions_total", { error_type: "ruta_inexistente", estado });
    expect(["detectado", "pendiente", "reintentando", "solucionado", "fallido"].map(transitions)).toEqual([1, 1, 1, 1, 0]);
    expect(p.valueOf("vigia_open_incidents", { error_type: "ruta_inexistente", estado: "reintentando" })).toBe(0);
    expect(p.valueOf("vigia_threshold_held_matches_total", { rule: "timeout" })).toBe(2);
    expect(p.valueOf("vigia_incident_transitions_total", { error_type: "timeout", estado: "detectado" })).toBe(0);
    subscription.unsubscribe();
  });

  describe("alerts that fail or are held back", () => {
    const TOKEN = "42:metrics-notifier-token";
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

    it("counts them per channel, never with the token or the webhook's address in a label", async () => {
      const metrics = createMetrics({ collectProcessMetrics: false });
      const notifier = new Notifier({
        telegram: { token: TOKEN, chatId: 7, apiRoot: telegram.apiRoot },
        webhook: { url: webhook.url },
        telegramRetry: { cloudApiRoot: null, backoffMs: [10], maxAttempts: 2 },
        webhookRetry: { retries: 0 },
        onDelivery: createDeliveryRecorder(metrics),
      });
      trackNotifierQueues(metrics, () => notifier.getQueuedByChannel());
      const before = await scrape(metrics);
      expect(before.valueOf("vigia_notifications_failed_total", { channel: "webhook" })).toBe(0);
      expect(before.valueOf("vigia_notifications_queued", { channel: "telegram" })).toBe(0);

      // A chat that does not exist (no retry helps) and a webhook answering 500: both fail.
      telegram.failNext(1, { kind: "error", status: 400, description: "Bad Request: chat not found" });
      webhook.failNext(1, 500);
      notifier.sendSessionSummary(formatSessionSummary({ incidents: [], startedAtMs: 0, endedAtMs: 60_000 }));
      // The same unknown-error alert twice within the repeat window: the second is held back.
      notifier.notifyText("desconocido:abc", "<b>nuevo error</b>", "new error template abc");
      notifier.notifyText("desconocido:abc", "<b>nuevo error</b>", "new error template abc");
      await notifier.close({ timeoutMs: 60_000 });

      const text = await metrics.registry.metrics();
      const p = parsePrometheusText(text);
      expect(p.valueOf("vigia_notifications_failed_total", { channel: "telegram" })).toBe(1);
      expect(p.valueOf("vigia_notifications_failed_total", { channel: "webhook" })).toBe(1);
      expect(p.valueOf("vigia_notifications_sent_total", { channel: "telegram" })).toBe(1);
      expect(p.valueOf("vigia_notifications_dropped_total", { channel: "telegram" })).toBe(1);
      expect(p.valueOf("vigia_notifications_sent_total", { channel: "webhook" })).toBe(0);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(webhook.url);
    });

    it("counts alerts written to the log as the `log` channel when Telegram is off", async () => {
      const metrics = createMetrics({ collectProcessMetrics: false });
      const notifier = new Notifier({ telegram: null, onDelivery: createDeliveryRecorder(metrics) });
      trackNotifierQueues(metrics, () => notifier.getQueuedByChannel());
      notifier.notifyText("desconocido:def", "<b>nuevo error</b>", "new error template def");
      await notifier.close({ timeoutMs: 60_000 });
      const p = await scrape(metrics);
      expect(p.valueOf("vigia_notifications_sent_total", { channel: "log" })).toBe(1);
      expect(p.valueOf("vigia_notifications_sent_total", { channel: "telegram" })).toBeUndefined();
      expect(p.valueOf("vigia_notifications_queued", { channel: "log" })).toBe(0);
    });
  });

  it("counts a journal write that failed and the one that recovered, with their durations", async () => {
    const dir = newTempDir();
    const metrics = createMetrics({ collectProcessMetrics: false });
    // A file stands where the journal's folder should be: the first write fails, the one after it is replaced works.
    writeFileSync(join(dir, "logs"), "not a folder");
    const journal = new JournalWriter(join(dir, "logs", "descarga_errors.json"), { onWrite: (write) => recordJournalWrite(metrics, write) });
    const manager = new IncidentManager();
    journal.follow(manager.changes$);
    const match = makeMatch(makeRule({ id: "ruta_inexistente" }), { path: "modelos/ana/v1.mp4" });
    manager.handleEvent(match.event, match);
    await expect(journal.flush()).rejects.toThrow(/ENOTDIR|EEXIST/);
    rmSync(join(dir, "logs"));
    mkdirSync(join(dir, "logs"));
    await journal.flush();
    expect(JSON.parse(readFileSync(join(dir, "logs", "descarga_errors.json"), "utf8"))).toHaveLength(1);

    const p = await scrape(metrics);
    // A background write may have failed too before flush() tried: at least one failure, exactly one success.
    const failed = p.valueOf("vigia_journal_writes_total", { outcome: "failed" })!;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(p.valueOf("vigia_journal_writes_total", { outcome: "ok" })).toBe(1);
    expect(p.valueOf("vigia_journal_write_duration_seconds_count")).toBe(failed + 1);
  });

  it("labels vigia's own metrics only with bounded label names", async () => {
    const m = createMetrics({ collectProcessMetrics: false });
    recordRulesLoaded(m, [makeRule({ id: "permisos", actions: [{ type: "chown", path: "{path}" }] })]);
    const allowed = new Set(["source", "rule", "error_type", "estado", "action", "result", "outcome", "channel", "check", "le"]);
    const used = new Set((await scrape(m)).samples.flatMap((s) => Object.keys(s.labels)));
    expect(used.size).toBeGreaterThan(3);
    for (const label of used) expect(allowed).toContain(label);
  });

  it("docs/metrics.md lists exactly the metrics vigia declares, each with its type", async () => {
    const declared = (await createMetrics({ collectProcessMetrics: false }).registry.getMetricsAsJSON()).map((m) => `${m.name} ${m.type}`);
    const doc = readFileSync(join(REPO, "docs", "metrics.md"), "utf8");
    // Table rows: | `vigia_name{labels}` | type | meaning |
    const documented = [...doc.matchAll(/^\| `(vigia_[a-z_]+)(?:\{[^}]*\})?` \| (counter|gauge|histogram) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(documented.sort()).toEqual(declared.sort());
  });
});
