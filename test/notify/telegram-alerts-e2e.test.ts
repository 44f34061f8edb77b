// What the admin reads on Telegram and the console, end to end: real bot log lines into a real `vigia run`, whose
// grammY talks to the fake Bot API. Messages follow the seed's ("⚠️ Monitor de Descargas / Error de timeout
// detectado / Modelo / Video / Reintentando automáticamente…") plus the time, how long a recovery took, and the
// reason of every outcome (a refused path says why, not only in the journal).
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "../e2e/vigia-harness.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { htmlToPlainText } from "../../src/notify/log-only-channel.js";

const TOKEN = "5550001:AAalerts-e2e_token";
const CHAT = 4242;
const VIDEO = "20251225_143020_a3f2b1.mp4";

/** Rules as shipped for these two types, except that timeout alerts at every step (`always`) for the test to read. */
const RULES = [
  "rules:",
  "  - id: permisos",
  "    match: \"[Pp]ermission denied: '(?<path>[^'\\n]+)'\"",
  "    severity: warning",
  "    actions: [{ type: chown, path: '{path}' }]",
  "    verify: { type: path_writable, path: '{path}' }",
  "    notify: on_failure",
  "  - id: timeout",
  "    match: 'Timed out'",
  "    extract: ['(?<path>modelos/(?<modelo>[^/\\s]+)/(?<video>[^/\\s]+\\.mp4))']",
  "    severity: warning",
  "    actions: [{ type: wait }]",
  "    verify: { type: path_exists, path: '{path}' }",
  "    notify: always",
  "",
].join("\n");

let fake: FakeTelegram | null = null;
afterEach(async () => {
  await cleanUpTest();
  await fake?.close();
  fake = null;
});

async function startWithTelegram() {
  fake = await FakeTelegram.start({ validToken: TOKEN });
  const ws = createWorkspace({
    copyRules: false,
    config: `${BASE_CONFIG_YAML}notify: { telegram: { token: '${TOKEN}', chat_id: ${CHAT}, api_root: '${fake.apiRoot}' } }\n`,
  });
  ws.write("rules/alertas.yaml", RULES);
  ws.write(BOT_LOG, "");
  const vigia = await startVigia(ws);
  return { ws, vigia, fake };
}

describe("Telegram alerts and console lines (e2e)", () => {
  it("a refused path: the reason is on Telegram and on the console, not only in the journal", async () => {
    const { ws, vigia, fake } = await startWithTelegram();
    ws.append(BOT_LOG, formatPythonLine("ERROR", "PermissionError: [Errno 13] Permission denied: '/etc/shadow'"));
    const incident = await waitFor(() => readJournal(ws).find((i) => i.error_type === "permisos" && i.estado === "fallido"), {
      what: "permisos fallido in the journal",
      describe: vigia.stderr,
    });
    const reason = incident.transiciones.at(-1)!.detalle!;
    expect(reason).toMatch(/^ruta rechazada \(outside_roots\)/);
    await waitFor(() => fake.texts().length === 1, "the alert");
    const text = fake.texts()[0]!;
    expect(text.split("\n").slice(0, 4)).toEqual(["⚠️ <b>Monitor de Descargas</b>", "", "Error de permisos detectado", expect.stringMatching(/^Hora: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)]);
    expect(text).toContain("❌ No se pudo corregir: necesita intervención");
    // as Telegram shows it (HTML entities rendered)
    expect(htmlToPlainText(text)).toContain(`Acción: ${incident.accion}\nMotivo: ${reason}\n`);
    await vigia.waitForLog(/permisos → fallido/);
    expect(vigia.stderr()).toMatch(/permisos → fallido: chown [^\n]*\/etc\/shadow[^\n]*: failed: path refused \(outside_roots\)/);
  });

  it("a timeout fixed by the bot's re-download: the seed's message, then how long the recovery took", async () => {
    const { ws, vigia, fake } = await startWithTelegram();
    ws.write(`modelos/victor/${VIDEO}`, "video"); // the bot's own retry already saved it
    ws.append(BOT_LOG, formatPythonLine("ERROR", `telegram.error.TimedOut: Timed out descargando modelos/victor/${VIDEO}`));
    const incident = await waitFor(() => readJournal(ws).find((i) => i.error_type === "timeout" && i.estado === "solucionado"), {
      what: "timeout solucionado in the journal",
      describe: vigia.stderr,
    });
    await waitFor(() => fake.texts()[0]?.includes("Solucionado") === true, "the alert edited to Solucionado");
    // The first message, as sent while vigia works on it (at detection, or at the first attempt when that came
    // before the message left)
    const first = fake.callsTo("sendMessage")[0]!.payload.text as string;
    const time = incident.timestamp.slice(0, 19).replace("T", " ");
    expect(first.split("\n").slice(0, 7)).toEqual([
      "⚠️ <b>Monitor de Descargas</b>",
      "",
      "Error de timeout detectado",
      "Modelo: <code>victor</code>",
      `Video: <code>${VIDEO}</code>`,
      `Hora: ${time}`,
      expect.stringMatching(/^Reintentando automáticamente…(?: \(reintento 1\/3\))?$/),
    ]);
    expect(first).toContain(`Timed out descargando modelos/victor/${VIDEO}</pre>`);
    expect(first).toMatch(new RegExp(`\ntimeout · (?:detectado · intento 0|pendiente · intento 0|reintentando · intento 1)/3 · id: <code>${incident.id}</code>$`));
    // The same message, edited in place when it was fixed
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
    const last = fake.texts()[0]!;
    expect(last).toMatch(/^✅ Solucionado automáticamente en \d+(?:[.,]\d+)? (?:ms|s)$/m);
    expect(last).toContain("Modelo: <code>victor</code>");
  });
});
