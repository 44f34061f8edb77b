/**
 * Alerts by email, the seed's other channel: a real `vigia run` configured only through the seed's variables
 * (SMTP_SERVER, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, EMAIL_RECIPIENT) mails a real SMTP server on 127.0.0.1.
 * The admin gets the same Spanish text as on Telegram, an incident's outcome as a reply in its thread, a busy
 * relay is retried, and the password never shows in monitor.log or the console.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { SmtpSink } from "../helpers/smtp-sink.js";
import { waitFor } from "../helpers/wait-for.js";
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
afterEach(async () => {
  await cleanUpTest();
  await sink?.close();
  sink = null;
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
