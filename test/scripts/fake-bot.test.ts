// The fake bot (fixtures/fake_bot/main.py) run for real with python3: its lines must look like the real bot's,
// its errors must be real Python exceptions, and its exit/stop behaviour must be what the supervise tests rely on.
import { describe, expect, it, afterEach } from "@jest/globals";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { FAKE_BOT, startProcess, killQuietly, type ScriptResult } from "./script-harness.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const LOG_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} - [\w.]+ - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - .+$/;
const TRACEBACK_LINE = /^(Traceback \(most recent call last\):| {2}.*|[\w.]+(Error|TimedOut): .*)$/;
const VIDEO = (modelo: string): RegExp => new RegExp(`^modelos/${modelo}/\\d{8}_\\d{6}_[0-9a-f]{6}\\.mp4$`);

const roots: string[] = [];
const pids: number[] = [];
afterEach(() => {
  pids.splice(0).forEach(killQuietly);
  for (const root of roots.splice(0)) {
    chmodSync(root, 0o755);
    rmSync(root, { recursive: true, force: true });
  }
});

function makeRoot(): string {
  const root = makeTempDir("vigia-fakebot-").dir;
  roots.push(root);
  return root;
}

function runBot(args: string[]): { done: Promise<ScriptResult>; output: () => string; pid: number } {
  const run = startProcess("python3", [FAKE_BOT, ...args], { ...process.env, PYTHONDONTWRITEBYTECODE: "1" });
  pids.push(run.child.pid!);
  return { done: run.done, output: run.output, pid: run.child.pid! };
}

/** The path the bot announced for `modelo` ("Descargando video para modelo ana: modelos/ana/…"). */
function announcedPath(output: string, modelo: string): string {
  const m = new RegExp(`Descargando video para modelo ${modelo}: (\\S+)`).exec(output);
  if (!m) throw new Error(`no download announced for ${modelo} in:\n${output}`);
  return m[1]!;
}

describe("fake bot", () => {
  it("plays the errors scenario as Python-logging lines with real tracebacks", async () => {
    const root = makeRoot();
    const r = await runBot(["--scenario", "errors", "--root", root]).done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    for (const line of lines) expect(LOG_LINE.test(line) || TRACEBACK_LINE.test(line)).toBe(true);
    expect(lines.filter((l) => / - bot_central - ERROR - /.test(l))).toHaveLength(3);

    const ana = announcedPath(r.stdout, "ana");
    expect(ana).toMatch(VIDEO("ana"));
    // The real exception raised by open(): its traceback shows the open() call itself.
    expect(r.stdout).toContain(`FileNotFoundError: [Errno 2] No such file or directory: '${ana}'`);
    expect(r.stdout).toMatch(/with open\(path, "wb"\) as f:\n(.*\n)?FileNotFoundError/);

    const pedro = announcedPath(r.stdout, "pedro");
    expect(r.stdout).toContain(`PermissionError: [Errno 13] Permission denied: '${pedro}'`);
    expect(r.stdout).toMatch(/ERROR - Error descargando modelos\/lucia\/\S+\nTraceback[^]*?\ntelegram\.error\.TimedOut: Timed out\n/);

    const sofia = announcedPath(r.stdout, "sofia");
    expect(r.stdout).toContain(`INFO - Descarga exitosa: ${sofia} (18.4 MB)`);
    expect(statSync(join(root, sofia)).size).toBe(Math.trunc(18.4 * 1024 * 1024));
    expect(existsSync(join(root, "modelos", "ana"))).toBe(false);
  });

  it("raises a real PermissionError when the model's folder is not writable (simulated for root)", async () => {
    const root = makeRoot();
    mkdirSync(join(root, "modelos", "pedro"), { recursive: true });
    chmodSync(join(root, "modelos", "pedro"), 0o555);
    const r = await runBot(["--root", root]).done;
    chmodSync(join(root, "modelos", "pedro"), 0o755);
    const pedro = announcedPath(r.stdout, "pedro");
    expect(r.stdout).toContain(`PermissionError: [Errno 13] Permission denied: '${pedro}'`);
    // Root bypasses file permissions, so there the script raises the same error itself.
    const raisedBy = process.getuid?.() === 0 ? "raise PermissionError(" : 'with open(path, "wb") as f:';
    const escaped = raisedBy.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(r.stdout).toMatch(new RegExp(`${escaped}.*\\n(.*\\n)?PermissionError: `));
  });

  it("honours --exit-code and --log", async () => {
    const root = makeRoot();
    const logFile = join(root, "bot_central.log");
    const r = await runBot(["--scenario", "ok", "--root", root, "--log", logFile, "--exit-code", "3"]).done;
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const lines = readFileSync(logFile, "utf8").trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(LOG_LINE);
    expect(lines.some((l) => / - bot_central - ERROR - /.test(l))).toBe(false);
    expect(lines.at(-1)).toMatch(/INFO - Descarga exitosa: modelos\/sofia\/\S+\.mp4 \(18\.4 MB\)$/);
  });

  it("crashes with an uncaught traceback on stderr and exit 1", async () => {
    const r = await runBot(["--scenario", "crash", "--root", makeRoot()]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\n[^]*\nRuntimeError: .+\n$/);
  });

  it.each([
    ["SIGTERM", [], 0],
    ["SIGINT", ["--exit-code", "5"], 5],
  ] as const)("with --forever logs heartbeats until %s, then 'Bot detenido'", async (signal, extra, code) => {
    const bot = runBot(["--scenario", "ok", "--root", makeRoot(), "--forever", "--heartbeat", "0.05", ...extra]);
    await waitFor(() => bot.output().includes("Heartbeat 2:"), "two heartbeats");
    process.kill(bot.pid, signal);
    const r = await bot.done;
    expect(r.code).toBe(code);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`INFO - Bot detenido \\(${signal}\\)$`));
  });

  it("retries a failed save after --retry-after and succeeds once the folder exists", async () => {
    const root = makeRoot();
    const bot = runBot(["--root", root, "--retry-after", "1"]);
    await waitFor(() => bot.output().includes("FileNotFoundError"), "the FileNotFoundError");
    const ana = announcedPath(bot.output(), "ana");
    mkdirSync(join(root, "modelos", "ana")); // what vigia's mkdir action does
    const r = await bot.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`INFO - Reintentando guardar ${ana}\n`);
    expect(r.stdout).toContain(`INFO - Descarga exitosa: ${ana} (18.4 MB)\n`);
    expect(r.stdout.indexOf(`Descarga exitosa: ${ana}`)).toBeGreaterThan(r.stdout.indexOf("Reintentando"));
    expect(existsSync(join(root, ana))).toBe(true);
  });
});
