import { afterEach, describe, expect, it } from "@jest/globals";
import { Notifier, type IncidentChange } from "../../src/notify/notifier.js";
import type { NotifierOptions } from "../../src/notify/notifier-options.js";
import { formatSessionSummary } from "../../src/notify/session-summary.js";
import type { CompiledRule, Incident } from "../../src/types.js";
import { FakeTelegram, FakeWebhookReceiver } from "../helpers/fake-telegram.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { advance, makeIncident, makeMissingPathRule } from "../helpers/make-incident.js";
import { waitFor } from "../helpers/wait-for.js";

const TOKEN = "5550001:AAsecret-notifier_token";
const CHAT = 4242;

let fake: FakeTelegram;
let notifiers: Notifier[] = [];
let logged: string[] = [];

afterEach(async () => {
  await Promise.all(notifiers.map((n) => n.close({ timeoutMs: 200 })));
  notifiers = [];
  if (fake) {
    expect(fake.callsTo("getUpdates")).toHaveLength(0); // send-only, in every scenario
    await fake.close();
  }
  expect(logged.join("\n")).not.toContain(TOKEN); // the token never reaches a log line
  expect(logged.join("\n")).not.toContain("AAsecret");
  logged = [];
});

async function setup(over: Partial<NotifierOptions> = {}): Promise<Notifier> {
  fake = await FakeTelegram.start({ validToken: TOKEN });
  const { lines, logger } = captureLogger();
  logged = lines;
  const notifier = new Notifier({
    telegram: { token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot },
    logger,
    groupWindowMs: 30,
    telegramRetry: { cloudApiRoot: null, backoffMs: [10, 20, 40, 80], maxAttempts: 8 },
    ...over,
  });
  notifiers.push(notifier);
  return notifier;
}

const change = (type: IncidentChange["type"], incident: Incident, rule: CompiledRule): IncidentChange => ({ type, incident, rule });

/** Drives one incident through detectado → reintentando → solucionado/fallido, notifying each step. */
function lifecycle(n: Notifier, rule: CompiledRule, end: "solucionado" | "fallido", over: Partial<Incident> = {}): Incident {
  const opened = makeIncident(over);
  n.notify(change("opened", opened, rule));
  const retrying = advance(opened, "reintentando", { intento: 1, accion: "mkdir -p modelos/ana" });
  n.notify(change("transition", retrying, rule));
  const done = advance(retrying, end, { intento: end === "fallido" ? 3 : 1 });
  n.notify(change("transition", done, rule));
  return done;
}

const failedText = (id: string) =>
  [
    "⚠️ <b>Monitor de Descargas</b>",
    "",
    "Error de ruta inexistente detectado",
    "Modelo: <code>ana</code>",
    "Video: <code>v1.mp4</code>",
    "Hora: 2024-05-01 10:00:00",
    "❌ No se pudo corregir: necesita intervención",
    "Acción: mkdir -p modelos/ana",
    "<pre>2024-05-01 10:00:00,123 - bot - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v1.mp4'</pre>",
    `ruta_inexistente · fallido · intento 3/3 · id: <code>${id}</code>`,
  ].join("\n");

describe("Notifier: when to send", () => {
  it("on_failure: nothing while retrying or when fixed; one message when it fails", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ notify: "on_failure" });
    lifecycle(n, rule, "solucionado");
    const failed = lifecycle(n, rule, "fallido");
    await n.drain();
    expect(fake.texts()).toEqual([failedText(failed.id)]);
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
    expect(n.getStats()).toMatchObject({ sent: 1, edited: 0, failed: 0, dropped: 0, queued: 0 });
  });

  it("always: a message when detected, edited in place on every change ('reintento 2/3' → '✅ Solucionado en 7 s')", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ notify: "always" });
    const opened = makeIncident({ id: "inc-always" });
    n.notify(change("opened", opened, rule));
    await n.drain();
    expect(fake.texts()[0]).toMatch(/^⚠️ <b>Monitor de Descargas<\/b>\n\nError de ruta inexistente detectado\n[^]*\nReintentando automáticamente…\n/);

    const retrying = advance(opened, "reintentando", { intento: 2, accion: "reintento 2/3" });
    n.notify(change("transition", retrying, rule));
    await n.drain();
    expect(fake.texts()[0]).toContain("\nReintentando automáticamente… (reintento 2/3)\n");
    expect(fake.texts()[0]).toContain(" · reintentando · intento 2/3 · ");

    n.notify(change("transition", advance(retrying, "solucionado"), rule));
    await n.drain();
    expect(fake.texts()).toHaveLength(1);
    expect(fake.texts()[0]).toContain("\n✅ Solucionado automáticamente en 7 s\n");
    expect(fake.calls.map((c) => c.method)).toEqual(["sendMessage", "editMessageText", "editMessageText"]);
    expect(fake.messages()[0]!.edits).toBe(2);
    expect(n.getStats()).toMatchObject({ sent: 1, edited: 2 });
  });

  it("always: quick successive changes coalesce into at most one message plus edits, ending on the latest state", async () => {
    const n = await setup();
    const done = lifecycle(n, makeMissingPathRule({ notify: "always" }), "solucionado");
    await n.drain();
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
    expect(fake.calls.length).toBeLessThanOrEqual(3);
    expect(fake.texts()[0]).toContain("✅ Solucionado automáticamente en 7 s");
    expect(fake.texts()[0]).toContain(`id: <code>${done.id}</code>`);
  });

  it("never: nothing at all, even when it fails", async () => {
    const n = await setup();
    lifecycle(n, makeMissingPathRule({ notify: "never" }), "fallido");
    await n.drain();
    expect(fake.calls).toHaveLength(0);
  });

  it("critical incidents are always notified, whatever the rule's policy", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ id: "disco_lleno", notify: "never", severity: "critical" });
    const opened = makeIncident({ error_type: "disco_lleno", severidad: "critical", modelo: null, video: null, error_message: "OSError: [Errno 28] No space left on device" });
    n.notify(change("opened", opened, rule));
    await n.drain();
    expect(fake.texts()).toEqual([
      [
        "🚨 <b>Monitor de Descargas</b>",
        "",
        "Disco lleno detectado",
        "Hora: 2024-05-01 10:00:00",
        "Reintentando automáticamente…",
        "<pre>OSError: [Errno 28] No space left on device</pre>",
        `disco_lleno · detectado · intento 0/3 · id: <code>${opened.id}</code>`,
      ].join("\n"),
    ]);
  });

  it("a folded match updates an alerted incident's message but never opens one", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ notify: "on_failure" });
    const opened = makeIncident();
    n.notify(change("folded", { ...opened, ocurrencias: 2 }, rule));
    await n.drain();
    expect(fake.calls).toHaveLength(0);
    const failed = advance(opened, "fallido");
    n.notify(change("transition", failed, rule));
    n.notify(change("folded", { ...failed, ocurrencias: 5 }, rule));
    await n.drain();
    expect(fake.texts()).toHaveLength(1);
    expect(fake.texts()[0]).toContain(" · ocurrencias 5 · ");
  });

  it("uses the rule's notify_template", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ notify: "on_failure", notifyTemplate: "{icono} {modelo}/{video} falló tras {intento} intentos: {linea_clave}" });
    lifecycle(n, rule, "fallido", { error_message: "x <y>" });
    await n.drain();
    expect(fake.texts()).toEqual(["⚠️ ana/v1.mp4 falló tras 3 intentos: x &lt;y&gt;"]);
  });
});

describe("Notifier: editing", () => {
  it("falls back to a new message when the edit fails, and keeps editing the new one", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ notify: "always" });
    const opened = makeIncident();
    n.notify(change("opened", opened, rule));
    await n.drain();
    fake.failNext(1, { kind: "error", status: 400, description: "Bad Request: message to edit not found", method: "editMessageText" });
    const r1 = advance(opened, "reintentando", { intento: 1 });
    n.notify(change("transition", r1, rule));
    await n.drain();
    n.notify(change("transition", advance(r1, "solucionado"), rule));
    await n.drain();
    expect(fake.calls.map((c) => `${c.method}:${c.status}`)).toEqual([
      "sendMessage:200",
      "editMessageText:400",
      "sendMessage:200",
      "editMessageText:200",
    ]);
    const [first, second] = fake.messages();
    expect(first!.text).toContain("\nReintentando automáticamente…\n");
    expect(second!.text).toContain("✅ Solucionado automáticamente en 7 s");
    expect(fake.calls[3]!.payload.message_id).toBe(second!.message_id);
    expect(logged.some((l) => l.startsWith("warn: could not edit the message of incident"))).toBe(true);
  });
});

describe("Notifier: Telegram trouble never slows the pipeline", () => {
  it("429 retry_after and a run of 5xx: every alert arrives, in order, while notify() returns at once", async () => {
    const n = await setup();
    fake.failNext(1, { kind: "429", retryAfterSeconds: 1 });
    fake.failNext(4, { kind: "5xx", status: 500 });
    const rule = makeMissingPathRule({ notify: "on_failure" });
    const ids: string[] = [];
    const returned: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      const inc = advance(makeIncident({ id: `orden-${i}` }), "fallido");
      ids.push(inc.id);
      returned.push(n.notify(change("transition", inc, rule)));
    }
    // notify() is synchronous and nothing was sent yet: it never waits for Telegram
    expect(returned.every((value) => value === undefined)).toBe(true);
    expect(fake.texts()).toHaveLength(0);
    expect(n.getStats().queued).toBeGreaterThan(0);
    await n.drain();
    expect(fake.texts().map((t) => /id: <code>([^<]+)<\/code>/.exec(t)![1])).toEqual(ids);
    expect(fake.calls.filter((c) => c.status !== 200).map((c) => c.status)).toEqual([429, 500, 500, 500, 500]);
    expect(n.getStats()).toMatchObject({ sent: 8, failed: 0, dropped: 0, queued: 0 });
  });

  it("the API down for a while (connection refused): alerts queue up and arrive in order once it is back", async () => {
    const n = await setup({ telegramRetry: { cloudApiRoot: null, backoffMs: [50, 100, 150], maxAttempts: 20 } });
    const rule = makeMissingPathRule({ notify: "on_failure" });
    await fake.goDown(400);
    const ids: string[] = [];
    const returned: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const inc = advance(makeIncident({ id: `caida-${i}` }), "fallido");
      ids.push(inc.id);
      returned.push(n.notify(change("transition", inc, rule)));
      await new Promise((r) => setImmediate(r)); // lines keep flowing during the outage (yielding, not sleeping: the loop ends long before the outage)
    }
    expect(returned.every((value) => value === undefined)).toBe(true); // synchronous: it did not wait for the outage
    expect(fake.texts()).toHaveLength(0);
    await n.drain();
    expect(fake.texts().map((t) => /id: <code>([^<]+)<\/code>/.exec(t)![1])).toEqual(ids);
    expect(n.getStats()).toMatchObject({ sent: 5, failed: 0 });
  });

  it("what finally cannot be sent is logged with its text and counted", async () => {
    const n = await setup({ telegramRetry: { cloudApiRoot: null, backoffMs: [1], maxAttempts: 2 } });
    fake.failNext(2, { kind: "5xx" });
    const inc = advance(makeIncident({ id: "perdido" }), "fallido");
    n.notify(change("transition", inc, makeMissingPathRule()));
    await n.drain();
    expect(fake.texts()).toEqual([]);
    expect(n.getStats()).toMatchObject({ sent: 0, failed: 1 });
    const line = logged.find((l) => l.startsWith("error: alert not delivered: incident perdido"));
    expect(line).toContain("No se pudo corregir: necesita intervención");
  });

  it("a full queue drops the oldest non-critical alert, logs and counts it", async () => {
    const n = await setup({ queueLimit: 3, telegramRetry: { cloudApiRoot: null, backoffMs: [20], maxAttempts: 50 } });
    await fake.goDown(300);
    const rule = makeMissingPathRule({ notify: "on_failure" });
    const fail = (i: number) => n.notify(change("transition", advance(makeIncident({ id: `cola-${i}` }), "fallido"), rule));
    fail(0);
    await new Promise((r) => setImmediate(r)); // cola-0 is now in flight (retrying against the dead API)
    for (let i = 1; i < 6; i++) fail(i);
    // 1..5 compete for 3 places: the oldest two are dropped
    expect(n.getStats()).toMatchObject({ dropped: 2, queued: 3 });
    expect(logged.filter((l) => l.startsWith("warn: alert dropped (overflow)")).map((l) => /incident (\S+)/.exec(l)![1])).toEqual([
      "cola-1",
      "cola-2",
    ]);
    await n.drain();
    expect(fake.texts().map((t) => /id: <code>([^<]+)<\/code>/.exec(t)![1])).toEqual(["cola-0", "cola-3", "cola-4", "cola-5"]);
  });

  it("close() gives up on what is left after its timeout and reports it", async () => {
    const n = await setup({ telegramRetry: { cloudApiRoot: null, backoffMs: [30], maxAttempts: 1000 } });
    await fake.goDown(60_000);
    for (let i = 0; i < 3; i++) n.notify(change("transition", advance(makeIncident(), "fallido"), makeMissingPathRule()));
    const stats = await n.close({ timeoutMs: 150 }); // the API stays down for 60 s: only the timeout lets close() return
    expect(stats).toMatchObject({ sent: 0, failed: 1, dropped: 2, queued: 0 });
    n.notify(change("transition", advance(makeIncident(), "fallido"), makeMissingPathRule()));
    expect(n.getStats().queued).toBe(0); // closed: ignored
  });
});

describe("Notifier: flood control", () => {
  it("a flood of 500 failures yields at most max_per_minute messages plus one digest", async () => {
    const n = await setup({ maxPerMinute: 5 });
    const rule = makeMissingPathRule({ id: "timeout", notify: "on_failure" });
    const incidents = Array.from({ length: 500 }, (_, i) => advance(makeIncident({ error_type: "timeout", clave: `timeout:v${i}` }), "fallido"));
    for (const inc of incidents) n.notify(change("transition", inc, rule));
    // a later match folded into a digested incident must not add a message
    n.notify(change("folded", { ...incidents[400]!, ocurrencias: 2 }, rule));
    n.flushPending();
    await n.drain();
    const sent = fake.callsTo("sendMessage");
    expect(sent).toHaveLength(6);
    expect(fake.texts()[5]).toBe(
      "📦 <b>alertas agrupadas</b> (límite de mensajes o claves repetidas)\n495 × timeout en los últimos 5 min: 495 fallidos",
    );
    expect(n.getStats()).toMatchObject({ sent: 6, digested: 495, dropped: 0 });
  });

  it("repeats of one key go to the digest with their current state (always policy)", async () => {
    const n = await setup({ maxPerMinute: 100 });
    const rule = makeMissingPathRule({ id: "timeout", notify: "always" });
    const repeats = Array.from({ length: 12 }, () => makeIncident({ error_type: "timeout", clave: "timeout:servidor" }));
    for (const inc of repeats) n.notify(change("opened", inc, rule));
    // later: 3 fixed, the rest still pending
    for (const inc of repeats.slice(1, 4)) n.notify(change("transition", advance(inc, "solucionado"), rule));
    n.flushPending();
    await n.drain();
    expect(fake.texts()).toHaveLength(2);
    expect(fake.texts()[0]).toContain("Error de timeout detectado");
    expect(fake.texts()[1]).toBe(
      "📦 <b>alertas agrupadas</b> (límite de mensajes o claves repetidas)\n11 × timeout en los últimos 5 min: 3 solucionados, 8 pendientes",
    );
  });

  it("the digest goes out by itself after digestIntervalMs", async () => {
    const n = await setup({ maxPerMinute: 1, digestIntervalMs: 80 });
    const rule = makeMissingPathRule({ notify: "on_failure" });
    for (let i = 0; i < 4; i++) n.notify(change("transition", advance(makeIncident(), "fallido"), rule));
    await waitFor(() => fake.texts().length === 2, "two messages");
    expect(fake.texts()[1]).toContain("3 × ruta_inexistente en los últimos 80 ms: 3 fallidos");
  });
});

describe("Notifier: root cause", () => {
  it("incidents closed by a failed root cause share one grouped message, kept current", async () => {
    const n = await setup();
    const rule = makeMissingPathRule({ id: "timeout", notify: "on_failure" });
    const detalle = "causa raíz: servidor_caido srv-9";
    for (const video of ["a.mp4", "b.mp4", "c.mp4"]) {
      const inc = advance(makeIncident({ error_type: "timeout", video, id: `dep-${video}` }), "fallido", {}, detalle);
      n.notify(change("transition", inc, rule));
    }
    await waitFor(() => fake.texts().length === 1, "one message");
    await n.drain();
    expect(fake.texts()).toEqual([
      [
        "🔗 <b>causa raíz: servidor_caido</b> <code>srv-9</code>",
        "3 incidentes cerrados como fallidos por esta causa:",
        "• timeout × 3",
        "  – ana/a.mp4 <code>dep-a.mp4</code>",
        "  – ana/b.mp4 <code>dep-b.mp4</code>",
        "  – ana/c.mp4 <code>dep-c.mp4</code>",
      ].join("\n"),
    ]);
    const late = advance(makeIncident({ error_type: "ruta_inexistente", video: "d.mp4", id: "dep-d" }), "fallido", {}, detalle);
    n.notify(change("transition", late, makeMissingPathRule()));
    await n.drain();
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
    expect(fake.texts()[0]).toContain("4 incidentes cerrados como fallidos");
    expect(fake.texts()[0]).toContain("• ruta_inexistente × 1");
  });
});

describe("Notifier: input", () => {
  it("ignores the incident manager's other change kinds and takes the root incident from the change", async () => {
    const n = await setup();
    n.notify({ type: "counted" });
    n.notify({ type: "warning" });
    const root = advance(makeIncident({ error_type: "servidor_caido", id: "srv-2" }), "fallido");
    const dep = advance(makeIncident({ error_type: "timeout", id: "dep-x" }), "fallido", {}, "cerrado por su causa raíz");
    n.notify({ type: "transition", incident: dep, rule: makeMissingPathRule({ id: "timeout" }), rootCause: root });
    n.flushPending();
    await n.drain();
    expect(fake.texts()).toHaveLength(1);
    expect(fake.texts()[0]).toMatch(/^🔗 <b>causa raíz: servidor_caido<\/b> <code>srv-2<\/code>\n1 incidente cerrado como fallido/);
  });
});

describe("Notifier: Telegram off", () => {
  it("with no token: says so once, logs what it would send, makes no network call", async () => {
    fake = await FakeTelegram.start();
    const { lines, logger } = captureLogger();
    logged = lines;
    const n = new Notifier({ telegram: { token: "", chatId: CHAT, apiRoot: fake.apiRoot }, logger });
    notifiers.push(n);
    expect(n.telegramOn).toBe(false);
    const rule = makeMissingPathRule({ notify: "always" });
    const opened = makeIncident({ id: "sin-token" });
    n.notify(change("opened", opened, rule));
    await n.drain();
    n.notify(change("transition", advance(opened, "fallido"), rule));
    lifecycle(n, rule, "solucionado");
    await n.drain();
    expect(fake.calls).toHaveLength(0);
    expect(lines.filter((l) => /telegram off \(no notify\.telegram\.token/.test(l))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("info: telegram off, would send #1: ⚠️ Monitor de Descargas\n\nError de ruta inexistente detectado"))).toBe(true);
    expect(lines.some((l) => l.includes("would edit #1: ⚠️ Monitor de Descargas") && l.includes("❌ No se pudo corregir"))).toBe(true);
    expect(n.getStats()).toMatchObject({ sent: 0, edited: 0 });
    expect(n.getStats().logged).toBeGreaterThanOrEqual(2);
  });

  it("with a token but no chat id it is off too", async () => {
    const { lines, logger } = captureLogger();
    logged = lines;
    const n = new Notifier({ telegram: { token: TOKEN, chatId: null }, logger });
    notifiers.push(n);
    expect(n.telegramOn).toBe(false);
    expect(lines[0]).toBe("info: telegram off (no notify.telegram.chat_id (ADMIN_ID)): alerts are only logged");
  });
});

describe("Notifier: webhook and summary", () => {
  it("POSTs alert-worthy changes as incident JSON and the session summary", async () => {
    const hook = await FakeWebhookReceiver.start();
    try {
      const n = await setup({ webhook: { url: hook.url, headers: { authorization: "Bearer hook-secret" } } });
      const rule = makeMissingPathRule({ notify: "on_failure" });
      // the incident manager's objects carry private bookkeeping: it must not reach the webhook
      const failed = lifecycle(n, rule, "fallido", { id: "wh-1", posicion: { offset: 12 } } as Partial<Incident>);
      delete (failed as Partial<Incident> & { posicion?: unknown }).posicion;
      const summary = formatSessionSummary({ incidents: [failed], startedAtMs: 0, endedAtMs: 65_000 });
      n.sendSessionSummary(summary);
      await n.drain();
      expect(hook.requests.map((r) => r.headers["x-vigia-event"])).toEqual(["transition", "session_summary"]);
      expect(hook.requests[0]!.body).toEqual(JSON.parse(JSON.stringify(failed)));
      expect(hook.requests[0]!.headers.authorization).toBe("Bearer hook-secret");
      expect(hook.requests[1]!.body).toMatchObject({ event: "session_summary", counts: { total: 1, failed: 1 } });
      expect(fake.texts()[1]).toBe(summary.html);
      expect(n.getStats()).toMatchObject({ webhookSent: 2, webhookFailed: 0 });
    } finally {
      await hook.close();
    }
  });
});
