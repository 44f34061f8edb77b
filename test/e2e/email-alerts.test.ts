/**
 * Alerts by email, the seed's other channel: a real `vigia run` configured only through the seed's variables
 * (SMTP_SERVER, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, EMAIL_RECIPIENT) mails a real SMTP server on 127.0.0.1.
 * The admin gets the same Spanish text as on Telegram, an incident's outcome as a reply in its thread, a busy
 * relay is retried, and the password never shows in monitor.log or the console. Beside Telegram, both channels
 * get the same messages under one flood control, and the Telegram alerts keep their buttons.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { SmtpSink } from "../helpers/smtp-sink.js";
import { waitFor } from "../helpers/wait-for.js";
import { htmlToPlainText } from "../../src/notify/log-only-channel.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runVigia, startVigia } from "./vigia-harness.js";

const USER = "vigia@example.com";
const PASSWORD = "smtp-Secret-pass-4821";
const ADMIN = "admin@example.com";

/** A timeout the bot's own retry already fixed: one alert, then its outcome. */
const RULES = [
  "rules:",
  "  - id: timeout",
  "    match: 'Timed out'",
  "    extract: ['(?<path>modelos/(?<modelo>[^/\\s]+)/(?<video>[^/\\s]+\\.mp4))']",
  "    severity: warning",
  "    actions: [{ type: wait }]",
  "    verify: { type: path_exists, path: '{path}' }",
  "    notify: always",
  "",
].join("\n");
const VIDEO = "20251225_143020_a3f2b1.mp4";

let sink: SmtpSink | null = null;
let fake: FakeTelegram | null = null;
afterEach(async () => {
  await cleanUpTest();
  await sink?.close();
  sink = null;
  await fake?.close();
  fake = null;
});

function seedEnv(port: number): Record<string, string> {
  return { SMTP_SERVER: "127.0.0.1", SMTP_PORT: String(port), SMTP_USERNAME: USER, SMTP_PASSWORD: PASSWORD, EMAIL_RECIPIENT: ADMIN };
}

describe("email alerts (e2e)", () => {
  it("mails the Telegram text to EMAIL_RECIPIENT, the outcome as a reply in the same thread, after a busy relay's 451", async () => {
    sink = await SmtpSink.start({ auth: { user: USER, password: PASSWORD } });
    sink.refuse(1);
    const ws = createWorkspace({ copyRules: false, config: BASE_CONFIG_YAML });
    ws.write("rules/alertas.yaml", RULES);
    ws.write(BOT_LOG, "");
    ws.write(`modelos/victor/${VIDEO}`, "video");
    const vigia = await startVigia(ws, [], { env: seedEnv(sink.port) });
    expect(vigia.stderr()).toMatch(new RegExp(`email: on \\(to ${ADMIN} through 127\\.0\\.0\\.1:${sink.port}\\)`));

    ws.append(BOT_LOG, formatPythonLine("ERROR", `telegram.error.TimedOut: Timed out descargando modelos/victor/${VIDEO}`));
    const incident = await waitFor(() => readJournal(ws).find((i) => i.error_type === "timeout" && i.estado === "solucionado"), {
      what: "timeout solucionado",
      describe: vigia.stderr,
    });
    const s = sink;
    await waitFor(() => s.mails.some((m) => /Solucionado/.test(m.text ?? "")) || undefined, {
      what: "the outcome mailed",
      timeoutMs: 60_000,
      describe: () => s.mails.map((m) => `${m.subject}\n${m.text}`).join("\n---\n") + vigia.stderr(),
    });
    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);

    const first = s.mails[0]!;
    expect(first.to && !Array.isArray(first.to) ? first.to.text : "").toBe(ADMIN);
    expect(first.from?.text).toBe(USER);
    expect(first.subject).toBe("vigia: ⚠️ Monitor de Descargas");
    expect(first.text).toContain("Error de timeout detectado");
    expect(first.text).toContain("Modelo: victor");
    expect(first.text).toContain(`Video: ${VIDEO}`);
    expect(first.text).toContain(incident.id);
    expect(first.html).toContain("<b>Monitor de Descargas</b>");
    const outcome = s.mails.find((m) => /Solucionado automáticamente/.test(m.text ?? ""))!;
    expect(outcome.inReplyTo).toBe(first.messageId);
    expect(outcome.text).toContain("Modelo: victor");
    // The refused first try was retried with the same login
    expect(s.logins.every((l) => l.user === USER && l.password === PASSWORD)).toBe(true);

    const monitorLog = readdirSync(ws.at("logs"))
      .filter((f) => f.startsWith("monitor"))
      .map((f) => readFileSync(ws.at("logs", f), "utf8"))
      .join("\n");
    expect(monitorLog).toContain(`email on: alerts also go to ${ADMIN}`);
    for (const surface of [monitorLog, stopped.stderr, stopped.stdout]) expect(surface).not.toContain(PASSWORD);
  });

  it("beside Telegram with a command bot: the same alerts on both under one flood control, the buttons still on Telegram", async () => {
    const s = (sink = await SmtpSink.start({ auth: { user: USER, password: PASSWORD } }));
    const commandsToken = "5550002:AAvigia-commands_token";
    const f = (fake = await FakeTelegram.start({ validTokens: ["5550001:AAdownload-bot_token", commandsToken] }));
    const telegram = `{ token: '5550001:AAdownload-bot_token', chat_id: 4242, api_root: '${f.apiRoot}', commands_token: '${commandsToken}' }`;
    const ws = createWorkspace({ copyRules: false, config: `${BASE_CONFIG_YAML}notify: { max_per_minute: 2, telegram: ${telegram} }\n` });
    ws.write("rules/alertas.yaml", RULES.replace("notify: always", "notify: on_failure"));
    ws.write(BOT_LOG, "");
    const vigia = await startVigia(ws, [], { env: seedEnv(s.port) });

    // Four timeouts of four videos that never arrive: four fallido incidents, two messages allowed per minute.
    for (const n of [1, 2, 3, 4]) ws.append(BOT_LOG, formatPythonLine("ERROR", `telegram.error.TimedOut: Timed out descargando modelos/victor/v${n}.mp4`));
    await waitFor(() => readJournal(ws).filter((i) => i.estado === "fallido").length === 4 || undefined, { what: "four fallido", describe: vigia.stderr });
    await waitFor(() => (f.messagesFrom(commandsToken).length >= 2 && s.mails.length >= 2) || undefined, {
      what: "two alerts on each channel",
      describe: () => `${JSON.stringify(f.texts())}\n${s.mails.map((m) => m.subject).join("\n")}\n${vigia.stderr()}`,
    });
    const stopped = await vigia.stop(); // the digest of the two held back goes out at stop
    expect(stopped.code).toBe(0);

    const onTelegram = f.messagesFrom(commandsToken).filter((m) => !m.text.includes("resumen de la sesión"));
    const byMail = s.mails.filter((m) => !(m.text ?? "").includes("resumen de la sesión"));
    expect(onTelegram.map((m) => htmlToPlainText(m.text))).toEqual(byMail.map((m) => m.text!.trimEnd()));
    expect(onTelegram).toHaveLength(3); // two alerts and the digest of the other two
    expect(onTelegram[2]!.text).toContain("alertas agrupadas");
    expect(onTelegram[2]!.text).toMatch(/2 × timeout .*2 fallidos/);
    for (const alert of onTelegram.slice(0, 2)) {
      const id = readJournal(ws).find((i) => alert.text.includes(i.id))!.id;
      expect(alert.reply_markup).toEqual({
        inline_keyboard: [[{ text: "🔁 Reintentar", callback_data: `r${id}` }, { text: "🔕 Silenciar 1 h", callback_data: "stimeout" }]],
      });
    }
  });

  it("notify-test mails one test message, and says why when the login is refused", async () => {
    sink = await SmtpSink.start({ auth: { user: USER, password: PASSWORD } });
    const ws = createWorkspace({ copyRules: false, config: BASE_CONFIG_YAML });
    const ok = await runVigia(ws.dir, ["notify-test"], { env: seedEnv(sink.port) });
    expect(ok.code).toBe(0); // email is the only channel: Telegram off is said, not a failure
    expect(ok.stdout).toContain("telegram: off — no notify.telegram.token (TELEGRAM_TOKEN)");
    expect(ok.stdout).toMatch(new RegExp(`email: sent — mailed to ${ADMIN} through 127\\.0\\.0\\.1:${sink.port}`));
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.text).toMatch(/^🧪 vigia notify-test desde .+: si lees esto, las alertas llegan\.$/m);

    const refused = await runVigia(ws.dir, ["notify-test"], { env: { ...seedEnv(sink.port), SMTP_PASSWORD: "wrong-password-0000" } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/email: FAILED — email through 127\.0\.0\.1:\d+ failed after 1 attempt\(s\): SMTP 535 \(EAUTH\)/);
    expect(refused.stdout + refused.stderr).not.toContain("wrong-password-0000");
  });

  it("a config error names the field: a recipient that is not an address", async () => {
    const ws = createWorkspace({ copyRules: false, config: `${BASE_CONFIG_YAML}notify: { email: { host: 127.0.0.1, to: 'el admin' } }\n` });
    const result = await runVigia(ws.dir, ["check"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/vigia\.config\.yaml:\d+: notify\.email\.to: expected an email address, got "el admin"/);
  });
});
