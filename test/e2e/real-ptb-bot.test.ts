/**
 * vigia against a real python-telegram-bot 13 bot (fixtures/ptb_bot/main.py, Debian's python3-python-telegram-bot):
 * the bot long-polls the fake Bot API, downloads the videos it is sent with `get_file(...).download(custom_path=...)`
 * and logs what PTB, urllib3 and Python really raise. Real `vigia run` tails its log, fixes what it can and alerts
 * the admin through the same fake Bot API (its own token; it never polls the bot's updates). Facts are awaited: the
 * only clocks are the bot's own read timeouts and the shipped rules' retry schedule.
 */
import { afterEach, expect, it } from "@jest/globals";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describeIf } from "../helpers/environment.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, REPO, cleanUpTest, createWorkspace, readJournal, runJq, startVigia, type JournalIncident, type Workspace } from "./vigia-harness.js";

/** An interpreter that can `import telegram`: Debian's, not a pyenv or venv python earlier on PATH. */
function findPtbPython(): string | null {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(candidate, ["-c", "import telegram.ext"], { stdio: "ignore" });
    if (r.status === 0) return candidate;
  }
  return null;
}
const PYTHON = findPtbPython();
const describeWithPtb = describeIf(PYTHON !== null, "needs python-telegram-bot for /usr/bin/python3 (apt-get install python3-python-telegram-bot)");

const BOT_SCRIPT = join(REPO, "fixtures", "ptb_bot", "main.py");
/** Real-shaped tokens: the download bot's (in its log, inside request URLs) and vigia's own, for alerts. */
const BOT_TOKEN = "7012345678:AAE-bot0download0token0abcdefghijkl";
const VIGIA_TOKEN = "7098765432:AAH-vigia0alert0token0abcdefghijkl";
const ADMIN_ID = "424242";
const USER = { id: 555, first_name: "Ana" };

let fake: FakeTelegram | null = null;
const bots = new Set<ChildProcess>();

afterEach(async () => {
  for (const bot of bots) {
    if (bot.exitCode === null && bot.signalCode === null) {
      const closed = new Promise((r) => bot.once("close", r));
      bot.kill("SIGKILL");
      await closed;
    }
  }
  bots.clear();
  await fake?.close();
  fake = null;
  await cleanUpTest();
});

/**
 * The workspace's config: the default sources (the bot's log, tracebacks joined to their first line), the fake as
 * the local Bot API (checked and used for alerts).
 */
function workspace(api: string): Workspace {
  return createWorkspace({
    config: [
      "status: null",
      "remediation: { allowed_roots: [modelos] }",
      `notify: { telegram: { api_root: '${api}' } }`,
      `checks: { disk: null, bot_api: { url: '${api}' } }`,
      "",
    ].join("\n"),
  });
}

/** Starts vigia (alerts to ADMIN_ID with its own token) and the bot, and waits until the bot polls. */
async function startAll(ws: Workspace, api: string, botEnv: Record<string, string> = {}): Promise<void> {
  await startVigia(ws, [], { env: { TELEGRAM_TOKEN: VIGIA_TOKEN, ADMIN_ID } });
  const bot = spawn(PYTHON!, [BOT_SCRIPT], {
    cwd: ws.dir,
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", BOT_TOKEN, BOT_API_URL: api, BOT_LOG, ...botEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  bots.add(bot);
  let stderr = "";
  bot.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  await waitFor(() => botLog(ws).includes(" - bot_central - INFO - Bot iniciado: @fake_bot"), {
    what: "the bot's start-up line",
    describe: () => `bot stderr:\n${stderr}\nbot log:\n${botLog(ws)}`,
  });
}

function botLog(ws: Workspace): string {
  return existsSync(ws.at(BOT_LOG)) ? ws.read(BOT_LOG) : "";
}

function incidentsOf(ws: Workspace, errorType: string): JournalIncident[] {
  return readJournal(ws).filter((i) => i.error_type === errorType);
}

/** Waits for the (only) incident of `errorType` to reach `estado`; the journal is in the failure message. */
async function awaitEstado(ws: Workspace, errorType: string, estado: string): Promise<JournalIncident> {
  return waitFor(() => incidentsOf(ws, errorType).find((i) => i.estado === estado), {
    what: `${errorType} ${estado}`,
    timeoutMs: 60_000,
    describe: () => `journal:\n${JSON.stringify(readJournal(ws), null, 1)}\nbot log:\n${botLog(ws)}`,
  });
}

/** What an operator reads: `jq` on the journal. */
async function jqEstados(ws: Workspace): Promise<string> {
  return runJq(["-r", ".[] | [.error_type, .estado, (.campos.dir // .video // \"-\")] | @tsv", JOURNAL], ws.dir);
}

function video(fileId: string, caption: string, fileName: string): { fileId: string; caption: string; fileName: string; content: Buffer } {
  return { fileId, caption, fileName, content: Buffer.from(`video ${fileId} `.repeat(64)) };
}

/** The secret part of the bot's token, which its log holds in request URLs (`/bot<id>:<secret>/`, `%3A` in downloads). */
const BOT_SECRET = BOT_TOKEN.split(":")[1]!;

/** The journal as an operator reads it, checked free of the bot's token. */
function journalText(ws: Workspace): string {
  const text = existsSync(ws.at(JOURNAL)) ? ws.read(JOURNAL) : "";
  expect(text).not.toContain(BOT_SECRET);
  return text;
}

/** Messages vigia sent the admin, and a check that it only ever sent (never polled) and never leaked the bot's token. */
function adminTexts(): string[] {
  const calls = fake!.calls;
  expect(calls.filter((c) => c.token === VIGIA_TOKEN && c.method === "getUpdates")).toEqual([]);
  const texts = fake!.messagesFrom(VIGIA_TOKEN).map((m) => {
    expect(String(m.chat_id)).toBe(ADMIN_ID);
    return m.text;
  });
  for (const text of texts) expect(text).not.toContain(BOT_SECRET);
  return texts;
}

describeWithPtb("vigia supervising a real python-telegram-bot 13 bot (e2e)", () => {
  it("a model's folder is missing: the bot's real FileNotFoundError → ruta_inexistente, vigia creates the folder, solucionado; the next video lands", async () => {
    fake = await FakeTelegram.start();
    const ws = workspace(fake.apiRoot);
    await startAll(ws, fake.apiRoot);

    fake.sendVideo(BOT_TOKEN, USER, video("f-ana-1", "ana", "20251225_143020_a3f2b1.mp4"));
    const solved = await awaitEstado(ws, "ruta_inexistente", "solucionado");
    expect(botLog(ws)).toContain("FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'");
    expect(solved.campos).toMatchObject({ dir: "modelos/ana", path: "modelos/ana/20251225_143020_a3f2b1.mp4" });
    expect(solved.modelo).toBe("ana");
    expect(statSync(ws.at("modelos/ana")).isDirectory()).toBe(true);
    expect(await jqEstados(ws)).toBe("ruta_inexistente\tsolucionado\tmodelos/ana");

    // The bot's next video for ana is saved in the folder vigia made.
    const next = video("f-ana-2", "ana", "20251225_143105_c4d5e6.mp4");
    fake.sendVideo(BOT_TOKEN, USER, next);
    await waitFor(() => botLog(ws).includes("Descarga exitosa: modelos/ana/20251225_143105_c4d5e6.mp4"), "the second video downloaded");
    expect(readFileSync(ws.at("modelos/ana/20251225_143105_c4d5e6.mp4"))).toEqual(next.content);
    expect(readJournal(ws).map((i) => i.error_type)).toEqual(["ruta_inexistente"]);
    // notify: never for this rule.
    expect(adminTexts().filter((t) => t.includes("ruta_inexistente"))).toEqual([]);
  });

  it("a download stuck past the bot's read timeout: PTB 13's NetworkError caused by ReadTimeoutError → timeout (not servidor_caido), the bot's own retry logs Descarga exitosa → solucionado", async () => {
    fake = await FakeTelegram.start();
    const ws = workspace(fake.apiRoot);
    ws.write("modelos/lucia/.keep", "");
    await startAll(ws, fake.apiRoot, { DOWNLOAD_TIMEOUT: "1", DOWNLOAD_RETRIES: "1" });

    const clip = video("f-lucia-1", "lucia", "20251225_150000_0b1c2d.mp4");
    fake.sendVideo(BOT_TOKEN, USER, clip);
    // urllib3 retries a GET whose read timed out 3 times on its own before PTB gives up: hold all 4.
    fake.holdDownloads("f-lucia-1", 4);
    const solved = await awaitEstado(ws, "timeout", "solucionado");
    const log = botLog(ws);
    expect(log).toMatch(/\ntelegram\.error\.NetworkError: urllib3 HTTPError .*Max retries exceeded .*\(Caused by ReadTimeoutError\(.*Read timed out\./);
    expect(log).toContain("Descarga exitosa: modelos/lucia/20251225_150000_0b1c2d.mp4");
    expect(solved).toMatchObject({ modelo: "lucia", video: "20251225_150000_0b1c2d.mp4" });
    expect(readFileSync(ws.at("modelos/lucia/20251225_150000_0b1c2d.mp4"))).toEqual(clip.content);
    // One incident for the one stuck download: urllib3's own retries are not incidents of their own.
    expect(await jqEstados(ws)).toBe("timeout\tsolucionado\t20251225_150000_0b1c2d.mp4");
    // urllib3 logs the download's URL, token included (its colon percent-encoded): masked before anything keeps it.
    expect(log).toContain(`/file/bot${BOT_TOKEN.replace(":", "%3A")}/`);
    journalText(ws);
    expect(adminTexts().filter((t) => t.includes("timeout"))).toEqual([]);
  });

  it("the Bot API stops: PTB's NetworkError on every poll is one servidor_caido incident, solucionado when it is back; the admin is told in Spanish", async () => {
    fake = await FakeTelegram.start();
    const ws = workspace(fake.apiRoot);
    await startAll(ws, fake.apiRoot);

    await fake.pause();
    await waitFor(() => (botLog(ws).match(/ - telegram\.ext\.updater - ERROR - Error while getting Updates: /g)?.length ?? 0) >= 3, {
      what: "three failed polls in the bot's log",
      describe: () => botLog(ws),
    });
    expect(botLog(ws)).toMatch(/\ntelegram\.error\.NetworkError: urllib3 HTTPError .*Connection refused/);
    await waitFor(() => incidentsOf(ws, "servidor_caido").length > 0, "a servidor_caido incident");
    await fake.resume();
    const solved = await awaitEstado(ws, "servidor_caido", "solucionado");
    expect(incidentsOf(ws, "servidor_caido")).toHaveLength(1);
    expect(solved.ocurrencias).toBeGreaterThanOrEqual(2);
    expect(await jqEstados(ws)).toBe("servidor_caido\tsolucionado\t-");
    expect(botLog(ws)).toContain(`/bot${BOT_TOKEN}/getUpdates`);
    journalText(ws);

    // The bot polls again and downloads.
    ws.write("modelos/sofia/.keep", "");
    fake.sendVideo(BOT_TOKEN, USER, video("f-sofia-1", "sofia", "20251225_160000_aa11bb.mp4"));
    await waitFor(() => botLog(ws).includes("Descarga exitosa: modelos/sofia/20251225_160000_aa11bb.mp4"), {
      what: "a download after the outage",
      timeoutMs: 60_000,
    });

    // The alerts reach the admin once the server is back: in Spanish, the last one says solucionado.
    const texts = await waitFor(
      () => {
        const t = adminTexts().filter((x) => x.includes("servidor_caido"));
        return t.some((x) => /solucionado/.test(x)) && t;
      },
      { what: "the admin's servidor_caido message saying solucionado", describe: () => JSON.stringify(fake!.calls.filter((c) => c.method === "sendMessage"), null, 1) },
    );
    expect(texts.join("\n")).toMatch(/servidor|Bot API/);
    expect(readJournal(ws).filter((i) => i.error_type !== "servidor_caido")).toEqual([]);
  });
});
