/**
 * End-to-end harness: real temp folders, the real `bin/vigia.js` (compiled by jest's globalSetup) as a child
 * process, real files, real jq. Every folder and child created here is tracked, so `cleanUpAll()` in each
 * file's afterEach leaves nothing behind even when a test fails half-way.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "../helpers/temp-dir.js";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VIGIA_BIN = join(REPO, "bin", "vigia.js");
const JQ = "/usr/bin/jq";
/** Relative to a workspace, as in the default config. */
export const BOT_LOG = "logs/bot_central.log";
export const BACKEND_LOG = "logs/backend.log";
export const JOURNAL = "logs/descarga_errors.json";

/**
 * The base config of every e2e workspace: no status port (parallel tests would fight over 9464), no disk
 * check (its incidents depend on this machine's free space), short backoff so remediation ends in a second.
 */
export const BASE_CONFIG_YAML = [
  "status: null",
  "checks: { disk: null }",
  "remediation:",
  "  allowed_roots: [modelos]",
  "  backoff: [0.1, 0.2, 0.4]",
  "",
].join("\n");

const liveChildren = new Set<ChildProcess>();
/** Workspace folder → kept until `cleanUpAll` (made in a beforeAll) or removed by `cleanUpTest` (afterEach). */
const liveDirs = new Map<string, "test" | "file">();

/**
 * Environment of every child: only what vigia needs. The developer's TELEGRAM_TOKEN, MAX_RETRIES,
 * BACKOFF_DELAYS or VIGIA_CONFIG must not leak into a test run.
 */
function buildChildEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NO_COLOR: "1", LANG: "C.UTF-8", ...extra };
}

/** A temp folder laid out like a deployment: `rules/` copied from the repo, `modelos/`, a config. */
export interface Workspace {
  dir: string;
  /** Absolute path of a workspace-relative path. */
  at(...parts: string[]): string;
  append(relPath: string, text: string): void;
  write(relPath: string, text: string | Buffer): void;
  read(relPath: string): string;
}

/** Creates a tracked workspace; `config` replaces the base config's text (null: no config file at all). */
export function createWorkspace(
  options: { config?: string | null; copyRules?: boolean; modelos?: boolean; scope?: "test" | "file" } = {},
): Workspace {
  const dir = makeTempDir("vigia-e2e-").dir;
  liveDirs.set(dir, options.scope ?? "test");
  if (options.copyRules ?? true) cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
  if (options.modelos ?? true) mkdirSync(join(dir, "modelos"), { recursive: true });
  const config = options.config === undefined ? BASE_CONFIG_YAML : options.config;
  if (config !== null) writeFileSync(join(dir, "vigia.config.yaml"), config);
  const at = (...parts: string[]) => join(dir, ...parts);
  return {
    dir,
    at,
    append(relPath, text) {
      mkdirSync(dirname(at(relPath)), { recursive: true });
      appendFileSync(at(relPath), text);
    },
    write(relPath, text) {
      mkdirSync(dirname(at(relPath)), { recursive: true });
      writeFileSync(at(relPath), text);
    },
    read(relPath) {
      return readFileSync(at(relPath), "utf8");
    },
  };
}

/** How a child ended, with everything it printed. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `vigia run` child: its output so far, readiness, and a graceful stop. */
export interface VigiaDaemon {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with how the process ended. */
  exited: Promise<ChildResult>;
  /** Waits until stderr (the console log) matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ChildResult>;
}

/**
 * The banner's last line. Signal handlers are installed before it is printed, so a SIGTERM sent earlier
 * would kill vigia the default way, without summary: tests wait for it before signalling or writing.
 */
const BANNER_LAST_LINE = /\bremediation: (?:on|DRY-RUN)/;

/** Starts `vigia run ARGS` in the workspace and waits for its banner. */
export async function startVigia(
  ws: Workspace,
  args: string[] = [],
  options: { readyTimeoutMs?: number; env?: Record<string, string> } = {},
): Promise<VigiaDaemon> {
  const env = buildChildEnv(options.env);
  const child = spawn(process.execPath, [VIGIA_BIN, "run", ...args], { cwd: ws.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout!.setEncoding("utf8").on("data", (d: string) => ((out += d), poke()));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => ((err += d), poke()));
  const exited = new Promise<ChildResult>((res) => {
    child.on("close", (code, signal) => {
      liveChildren.delete(child);
      poke();
      res({ code, signal, stdout: out, stderr: err });
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  const waitForLog = (pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> =>
    new Promise((res, rej) => {
      const check = () => {
        const m = err.match(pattern);
        if (m) return finish(() => res(m));
        if (ended) return finish(() => rej(new Error(`vigia exited before logging ${pattern}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`)));
      };
      const timer = setTimeout(() => finish(() => rej(new Error(`no ${pattern} on vigia's stderr within ${timeoutMs} ms\n--- stderr ---\n${err}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });

  const daemon: VigiaDaemon = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog,
    async stop(signal = "SIGTERM", timeoutMs = 60_000) {
      if (!ended) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`vigia did not exit within ${timeoutMs} ms of ${signal}\n--- stderr ---\n${err}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  await waitForLog(BANNER_LAST_LINE, options.readyTimeoutMs ?? 90_000);
  return daemon;
}

/** Runs a one-shot vigia command (`check`, `test-rules`, `report`, `status`) to its end. */
export function runVigia(cwd: string, args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ChildResult> {
  return runChild(process.execPath, [VIGIA_BIN, ...args], cwd, options.timeoutMs ?? 60_000, buildChildEnv(options.env));
}

/** Runs real jq (`/usr/bin/jq`) and returns its trimmed stdout; fails on a non-zero exit. */
export async function runJq(args: string[], cwd: string): Promise<string> {
  const r = await runChild(JQ, args, cwd, 10_000);
  if (r.code !== 0) throw new Error(`jq ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Runs `bash -o pipefail -c SCRIPT` (a documented recipe) with only /usr/bin:/bin on PATH. No rc files: with
 * stdin closed and HOME set to `cwd`, bash cannot mistake the call for a remote shell and source ~/.bashrc.
 */
export function runBash(script: string, cwd: string): Promise<ChildResult> {
  const env = { PATH: "/usr/bin:/bin", HOME: cwd, LANG: "C.UTF-8" };
  return runChild("/bin/bash", ["--norc", "--noprofile", "-o", "pipefail", "-c", script], cwd, 10_000, env);
}

function runChild(file: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = buildChildEnv()): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    liveChildren.add(child);
    let out = "";
    let err = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`${file} ${args.join(" ")} did not end within ${timeoutMs} ms\n--- stderr ---\n${err}`));
    }, timeoutMs);
    child.on("error", (e) => (clearTimeout(timer), rej(e)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      res({ code, signal, stdout: out, stderr: err });
    });
  });
}

/** One journal element, with the fields the tests read. */
export interface JournalIncident {
  id: string;
  timestamp: string;
  error_type: string;
  estado: string;
  modelo: string | null;
  video: string | null;
  error_message: string;
  accion: string | null;
  campos: Record<string, string>;
  ocurrencias: number;
  clave: string;
  transiciones: Array<{ estado: string; timestamp: string; accion: string | null; intento: number; detalle: string | null }>;
  resuelto: string | null;
  duracion_ms: number | null;
  [field: string]: unknown;
}

/** The workspace's journal, or [] while it does not exist. It is replaced atomically, so it always parses. */
export function readJournal(ws: Workspace, relPath = JOURNAL): JournalIncident[] {
  if (!existsSync(ws.at(relPath))) return [];
  return JSON.parse(ws.read(relPath)) as JournalIncident[];
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/** The part of vigia's /health answer the end-to-end tests read. */
export interface HealthDoc {
  sources: Array<{ lag_bytes: number }>;
  incidents_open: Record<string, number>;
  remediation: { running: number; queued: number };
}

/** GET /health on 127.0.0.1:port, as an operator's monitor would scrape it; null while nothing answers. */
export function readHealth(port: number): Promise<HealthDoc | null> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/health", timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as HealthDoc);
        } catch {
          resolve(null);
        }
      });
    });
    request.on("error", () => resolve(null));
    request.on("timeout", () => request.destroy());
  });
}

/** A config watching the bot's log (one record per timestamped line, tracebacks joined) with /health on `port`. */
export function botConfigWithStatus(port: number, remediation = "{ allowed_roots: [modelos] }"): string {
  return [
    "sources:",
    "  - { name: bot, path: logs/bot_central.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}' } }",
    `status: { listen: '127.0.0.1:${port}' }`,
    "checks: { disk: null }",
    `remediation: ${remediation}`,
    "",
  ].join("\n");
}

/** A Python logging record as the bot writes it (`2025-12-25 14:30:20,131 - bot_central - ERROR - …`). */
export function formatPythonLine(level: string, message: string, time = "2025-12-25 14:30:20,131", logger = "bot_central"): string {
  return `${time} - ${logger} - ${level} - ${message}\n`;
}

/** The bot's record of a missing file: an ERROR line and the traceback of a FileNotFoundError on `path`. */
export function formatFileNotFoundTraceback(path: string, time = "2025-12-25 14:30:20,131"): string {
  return (
    formatPythonLine("ERROR", "Error al guardar el video", time) +
    [
      "Traceback (most recent call last):",
      '  File "/home/bot/app/main.py", line 212, in guardar_video',
      '    with open(destino, "wb") as f:',
      `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`,
      "",
    ].join("\n")
  );
}

/** Kills every child still running (SIGKILL, by pid) and removes the test's workspaces; for afterEach. */
export async function cleanUpTest(): Promise<void> {
  await killAllChildren();
  for (const [dir, scope] of liveDirs) {
    if (scope !== "test") continue;
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}

/** Also removes the workspaces a beforeAll made; for afterAll. */
export async function cleanUpAll(): Promise<void> {
  await killAllChildren();
  for (const dir of liveDirs.keys()) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

async function killAllChildren(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of liveChildren) {
    waits.push(new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("close", r))));
    child.kill("SIGKILL");
  }
  await Promise.all(waits);
  liveChildren.clear();
}
