// The admin talks to vigia on Telegram: a real `vigia run` long-polls the fake Bot API with its command bot's token
// (never the download bot's) and answers the admin only, in Spanish; strangers get nothing and are logged once.
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync, rmSync } from "node:fs";
import {
  BASE_CONFIG_YAML,
  BOT_LOG,
  cleanUpTest,
  createWorkspace,
  formatPythonLine,
  readJournal,
  startVigia,
  type VigiaDaemon,
  type Workspace,
} from "./vigia-harness.js";
import { FakeTelegram, type FakeMessage, type FakeUser } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { htmlToPlainText } from "../../src/notify/log-only-channel.js";

const BOT_TOKEN = "5550001:AAdownload-bot_token";
const COMMANDS_TOKEN = "5550002:AAvigia-commands_token";
const ADMIN: FakeUser = { id: 4242, first_name: "Admin" };
const STRANGER: FakeUser = { id: 9999, first_name: "Mallory", username: "mallory" };

/**
 * `permisos` as shipped (a path outside the allowed roots is refused: fallido), and `video_ausente`: the bot says a
 * video is missing, vigia waits and checks for it — fallido while it is absent, solucionado once it is there.
 */
const RULES = [
  "rules:",
  "  - id: permisos",
  "    match: \"[Pp]ermission denied: '(?<path>[^'\\n]+)'\"",
  "    severity: warning",
  "    actions: [{ type: chown, path: '{path}' }]",
  "    verify: { type: path_writable, path: '{path}' }",
  "    notify: on_failure",
  "  - id: carpeta_vacia",
  "    match: \"Carpeta sin el fichero listo: '(?<path>[^'\\n]+)'\"",
  "    severity: warning",
  "    actions: [{ type: mkdir, path: '{path}' }]",
  "    verify: { type: path_exists, path: '{path}/listo' }",
  "    retries: 1",
  "    notify: on_failure",
  "  - id: video_ausente",
  "    match: 'Video no encontrado: ''(?<path>modelos/(?<modelo>[^/'']+)/(?<video>[^/'']+\\.mp4))'''",
  "    severity: warning",
  "    actions: [{ type: wait }]",
  "    verify: { type: path_exists, path: '{path}' }",
  "    notify: on_failure",
  "",
].join("\n");

let fake: FakeTelegram | null = null;
afterEach(async () => {
  await cleanUpTest();
  await fake?.close();
  fake = null;
});

async function startWorkspace(): Promise<{ ws: Workspace; fake: FakeTelegram }> {
  fake = await FakeTelegram.start({ validTokens: [BOT_TOKEN, COMMANDS_TOKEN] });
  const telegram = `{ token: '${BOT_TOKEN}', chat_id: ${ADMIN.id}, api_root: '${fake.apiRoot}', commands_token: '${COMMANDS_TOKEN}' }`;
  const ws = createWorkspace({ copyRules: false, config: `${BASE_CONFIG_YAML}notify: { telegram: ${telegram} }\n` });
  ws.write("rules/reglas.yaml", RULES);
  ws.write(BOT_LOG, "");
  return { ws, fake };
}

/** Starts vigia and waits until its command bot polls. */
async function startPolling(ws: Workspace, args: string[] = []): Promise<VigiaDaemon> {
  const vigia = await startVigia(ws, args);
  await vigia.waitForLog(/telegram commands: polling as @fake_bot/);
  return vigia;
}

/** Messages the command bot sent to one chat. */
function repliesTo(fake: FakeTelegram, user: FakeUser): FakeMessage[] {
  return fake.messagesFrom(COMMANDS_TOKEN).filter((m) => String(m.chat_id) === String(user.id));
}

/** The admin sends `text`; resolves to vigia's reply (the next message to the admin's chat whose text satisfies `is`). */
async function ask(fake: FakeTelegram, vigia: VigiaDaemon, text: string, is: (plain: string) => boolean): Promise<FakeMessage> {
  const before = repliesTo(fake, ADMIN).length;
  fake.sendText(COMMANDS_TOKEN, ADMIN, text);
  return waitFor(() => repliesTo(fake, ADMIN).slice(before).find((m) => is(htmlToPlainText(m.text))), {
    what: `vigia's answer to ${text}`,
    describe: () => `messages: ${JSON.stringify(fake.texts())}\n--- stderr ---\n${vigia.stderr()}`,
  });
}

/** Alert messages (not command replies) of one error type's seed sentence. */
function alertsAbout(fake: FakeTelegram, sentence: string): FakeMessage[] {
  return fake.messagesFrom(COMMANDS_TOKEN).filter((m) => m.text.includes("Monitor de Descargas") && m.text.includes(sentence));
}

function missingVideoLine(path: string): string {
  return formatPythonLine("ERROR", `Video no encontrado: '${path}'`);
}

function permissionLine(path: string): string {
  return formatPythonLine("ERROR", `PermissionError: [Errno 13] Permission denied: '${path}'`);
}

describe("Telegram commands for the admin (e2e)", () => {
  it("/estado from the admin is answered at once; a stranger gets nothing and is logged once", async () => {
    const { ws, fake } = await startWorkspace();
    const vigia = await startPolling(ws);

    const sentAtMs = Date.now();
    const estado = await ask(fake, vigia, "/estado", (t) => t.startsWith("📋 Estado de vigia"));
    const answerMs = fake.callsTo("sendMessage").find((c) => String(c.payload.text).startsWith("📋"))!.atMs - sentAtMs;
    // "Within a second" is judged on the time vigia reports for its own part (from the update's arrival to the Bot
    // API accepting the reply): the test's own clock also counts jest and the fake sharing a loaded 2-core machine.
    const reported = await vigia.waitForLog(/telegram commands: \/estado from the admin answered in (\d+) ms/);
    const handledMs = Number(reported[1]);
    process.stdout.write(`/estado: vigia reports ${handledMs} ms; the admin's message to the reply at the fake Bot API: ${answerMs} ms\n`);
    expect(handledMs).toBeLessThan(1000);
    expect(estado.parse_mode).toBe("HTML");
    const plain = htmlToPlainText(estado.text);
    expect(plain).toContain("Incidentes abiertos: 0");
    expect(plain).toMatch(/Fuentes:\n✅ bot .*logs\/bot_central\.log/);

    fake.sendText(COMMANDS_TOKEN, STRANGER, "/estado");
    fake.sendText(COMMANDS_TOKEN, STRANGER, "/silenciar todo 2d");
    fake.pressButton(COMMANDS_TOKEN, STRANGER, estado.message_id, "stodo"); // crafted data: the button of a silence of everything
    // Updates are answered in order: once the admin's next answer is there, the stranger's two were handled.
    await ask(fake, vigia, "/desconocidos", (t) => t.startsWith("🆕"));
    expect(repliesTo(fake, STRANGER)).toEqual([]);
    expect(fake.callsTo("answerCallbackQuery")).toEqual([]);
    // monitor.log is written in order: once the admin's /desconocidos answer is in it, the stranger's lines are too.
    const monitorLog = await waitFor(
      () => {
        const text = ws.read("logs/monitor.log");
        return /\/desconocidos from the admin.* answered in/.test(text) ? text : undefined;
      },
      { what: "the /desconocidos answer in monitor.log", describe: vigia.stderr },
    );
    expect(monitorLog.match(/ignoring user 9999 \(@mallory\)/g)).toHaveLength(1);
    expect(monitorLog).not.toMatch(/\/silenciar todo/);
    expect(() => ws.read("logs/silencios.json")).toThrow(/ENOENT/);

    // An error no rule claims, then the top of the unforeseen errors.
    ws.append(BOT_LOG, formatPythonLine("ERROR", "ValueError: cuota de Telegram agotada para modelo ana"));
    await waitFor(() => existsSync(ws.at("logs/desconocidos.json")) || undefined, { what: "desconocidos.json", describe: vigia.stderr });
    const unknown = await ask(fake, vigia, "/desconocidos", (t) => t.startsWith("🆕 Errores no previstos"));
    expect(unknown.text).toContain("• × 1 <code>&lt;TS&gt; - bot_central - ERROR - ValueError: cuota de Telegram agotada para modelo &lt;MODELO&gt;</code>");
    expect(htmlToPlainText(unknown.text)).toMatch(/fuentes: bot · última vez \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} · plantilla [0-9a-f]{12}\nUna regla para cada una: vigia suggest-rules$/);

    // The download bot's updates are its own: vigia polls only with the command bot's token.
    expect(fake.callsTo("getUpdates").length).toBeGreaterThan(0);
    expect(fake.callsTo("getUpdates").filter((c) => c.token !== COMMANDS_TOKEN)).toEqual([]);
    await vigia.stop();
  });

  it("/silenciar stops the alerts of a type (also after a restart) while the journal still records; /activar brings them back", async () => {
    const { ws, fake } = await startWorkspace();
    let vigia = await startPolling(ws);
    const answer = await ask(fake, vigia, "/silenciar permisos 1h", (t) => t.startsWith("🔕"));
    expect(htmlToPlainText(answer.text)).toMatch(/^🔕 Silenciados los avisos de permisos durante 1 h, hasta \d{4}-\d{2}-\d{2} \d{2}:\d{2}\./);
    expect(JSON.parse(ws.read("logs/silencios.json"))).toEqual([{ error_type: "permisos", hasta: expect.any(String), desde: expect.any(String) }]);

    /** A permisos incident fails, then a video_ausente one: its alert arriving means permisos' would have come first. */
    const failSilencedThenControl = async (n: number) => {
      ws.append(BOT_LOG, permissionLine(`/etc/shadow${n}`));
      await waitFor(() => readJournal(ws).filter((i) => i.error_type === "permisos" && i.estado === "fallido").length === n, {
        what: `permisos fallido #${n} in the journal`,
        describe: vigia.stderr,
      });
      ws.append(BOT_LOG, missingVideoLine(`modelos/control/v${n}.mp4`));
      await waitFor(() => alertsAbout(fake, `v${n}.mp4`).length === 1, { what: `control alert #${n}`, describe: vigia.stderr });
      expect(alertsAbout(fake, "Error de permisos detectado")).toEqual([]);
    };
    await failSilencedThenControl(1);

    await vigia.stop();
    vigia = await startPolling(ws);
    await vigia.waitForLog(/alerts of permisos silenced until/);
    await failSilencedThenControl(2);

    const activated = await ask(fake, vigia, "/activar permisos", (t) => t.startsWith("🔔"));
    expect(htmlToPlainText(activated.text)).toBe("🔔 Avisos activados de nuevo: permisos.");
    ws.append(BOT_LOG, permissionLine("/etc/shadow3"));
    await waitFor(() => alertsAbout(fake, "Error de permisos detectado").length === 1, { what: "the permisos alert", describe: vigia.stderr });
    await vigia.stop();
  });

  it("/reintentar goes through the path guard, and under --dry-run runs nothing", async () => {
    const { ws, fake } = await startWorkspace();
    let vigia = await startPolling(ws);
    const outside = `${ws.dir}-fuera/carpeta`;
    ws.append(BOT_LOG, formatPythonLine("ERROR", `Carpeta sin el fichero listo: '${outside}'`));
    ws.append(BOT_LOG, formatPythonLine("ERROR", "Carpeta sin el fichero listo: 'modelos/ana/nueva'"));
    const failed = await waitFor(() => {
      const closed = readJournal(ws).filter((i) => i.error_type === "carpeta_vacia" && i.estado === "fallido");
      return closed.length === 2 ? closed : undefined;
    }, { what: "both carpeta_vacia fallido", describe: vigia.stderr });
    const refused = failed.find((i) => i.campos["path"] === outside)!;
    const inside = failed.find((i) => i.campos["path"] === "modelos/ana/nueva")!;
    expect(existsSync(ws.at("modelos/ana/nueva"))).toBe(true); // its mkdir ran; only the verify failed

    await ask(fake, vigia, `/reintentar ${refused.id}`, (t) => t.startsWith("🔁"));
    const again = await waitFor(() => readJournal(ws).find((i) => i.clave === refused.clave && i.id !== refused.id && i.estado === "fallido"), {
      what: "the retry of the refused path fallido",
      describe: vigia.stderr,
    });
    expect(JSON.stringify(again.transiciones)).toContain("fuera de remediation.allowed_roots");
    expect(existsSync(outside)).toBe(false);
    await vigia.stop();

    rmSync(ws.at("modelos/ana/nueva"), { recursive: true });
    vigia = await startPolling(ws, ["--dry-run"]);
    const reply = await ask(fake, vigia, `/reintentar ${inside.id}`, (t) => t.startsWith("🔁"));
    expect(htmlToPlainText(reply.text)).toContain("modo dry-run: las acciones se anotan, no se ejecutan");
    const dry = await waitFor(() => readJournal(ws).find((i) => i.clave === inside.clave && i.id !== inside.id && i.transiciones.some((t) => t.accion?.startsWith("[dry-run] mkdir"))), {
      what: "the dry-run retry journaled",
      describe: vigia.stderr,
    });
    expect(dry.transiciones[0]).toMatchObject({ estado: "detectado", accion: "reintento manual" });
    await vigia.stop();
    expect(existsSync(ws.at("modelos/ana/nueva"))).toBe(false);
  });

  it("/reintentar runs a failed incident's remediation again; the alert's buttons retry and silence", async () => {
    const { ws, fake } = await startWorkspace();
    const vigia = await startPolling(ws);
    ws.append(BOT_LOG, missingVideoLine("modelos/ana/a1.mp4"));
    const failed = await waitFor(() => readJournal(ws).find((i) => i.error_type === "video_ausente" && i.estado === "fallido"), {
      what: "video_ausente fallido",
      describe: vigia.stderr,
    });
    const alert = await waitFor(() => alertsAbout(fake, "a1.mp4")[0], { what: "the fallido alert", describe: vigia.stderr });
    expect(alert.reply_markup).toEqual({
      inline_keyboard: [[{ text: "🔁 Reintentar", callback_data: `r${failed.id}` }, { text: "🔕 Silenciar 1 h", callback_data: "svideo_ausente" }]],
    });

    // The bot downloaded it meanwhile: the retry's verification now passes.
    ws.write("modelos/ana/a1.mp4", "video");
    const reply = await ask(fake, vigia, `/reintentar ${failed.id}`, (t) => t.startsWith("🔁"));
    const retried = await waitFor(
      () => readJournal(ws).find((i) => i.clave === failed.clave && i.id !== failed.id && i.estado === "solucionado"),
      { what: "the retried incident solucionado", describe: vigia.stderr },
    );
    expect(htmlToPlainText(reply.text)).toContain(`Reintentando ${failed.id} como incidente nuevo ${retried.id}`);
    expect(retried.transiciones[0]).toMatchObject({ estado: "detectado", accion: "reintento manual", detalle: expect.stringContaining(failed.id) });
    expect(retried.transiciones.map((t) => t.accion)).toEqual(expect.arrayContaining(["esperar", "verificación"]));
    expect(readJournal(ws).find((i) => i.id === failed.id)!.estado).toBe("fallido"); // a closed record stays closed

    // The same through the alert's buttons, on another video.
    ws.append(BOT_LOG, missingVideoLine("modelos/bea/b1.mp4"));
    const second = await waitFor(() => alertsAbout(fake, "b1.mp4").find((m) => m.reply_markup !== undefined), {
      what: "the second fallido alert",
      describe: vigia.stderr,
    });
    const secondId = readJournal(ws).find((i) => i.video === "b1.mp4")!.id;
    ws.write("modelos/bea/b1.mp4", "video");
    fake.pressButton(COMMANDS_TOKEN, ADMIN, second.message_id, `r${secondId}`);
    await waitFor(() => readJournal(ws).find((i) => i.video === "b1.mp4" && i.id !== secondId && i.estado === "solucionado"), {
      what: "the button's retry solucionado",
      describe: vigia.stderr,
    });
    await waitFor(() => fake.callsTo("answerCallbackQuery").length === 1, "the button press answered");
    expect(String(fake.callsTo("answerCallbackQuery")[0]!.payload.text)).toMatch(/^🔁 Reintentando /);

    fake.pressButton(COMMANDS_TOKEN, ADMIN, second.message_id, "svideo_ausente");
    await waitFor(() => fake.callsTo("answerCallbackQuery").length === 2, "the silence button answered");
    expect(String(fake.callsTo("answerCallbackQuery")[1]!.payload.text)).toMatch(/^🔕 Silenciados los avisos de video_ausente durante 1 h/);
    expect(JSON.parse(ws.read("logs/silencios.json"))).toEqual([expect.objectContaining({ error_type: "video_ausente" })]);

    const story = await ask(fake, vigia, `/incidente ${failed.id}`, (t) => t.includes("Incidente"));
    expect(htmlToPlainText(story.text)).toMatch(/Historia:\n\d{2}:\d{2}:\d{2} detectado\n/);

    // The report's summary of the journal: two video_ausente fallido, two solucionado by the retries.
    const informe = await ask(fake, vigia, "/informe", (t) => t.startsWith("📊 Informe"));
    expect(informe.text).toContain("/logs/descarga_errors.json</code>");
    expect(htmlToPlainText(informe.text)).toMatch(/video_ausente.*\b2\b.*\b2\b/);
    expect(htmlToPlainText(informe.text)).toMatch(/Informe completo: vigia report$/);
    await vigia.stop();
  });
});
