/**
 * Helpers for running the real `bin/vigia.js` (built by jest's globalSetup) in a throw-away working folder:
 * a copy of the shipped rules, a config that keeps the run local (status on a free port, no disk check, fast
 * backoff), a scrubbed environment, process-tree cleanup and polling.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleepMs } from "../helpers/wait-for.js";
import { makeTempDir } from "../helpers/temp-dir.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const VIGIA_JS = join(REPO, "bin", "vigia.js");
export const FAKE_BOT = join(REPO, "fixtures", "fake_bot", "main.py");

/** The Python logging timestamp (`2025-12-25 14:30:20,123`) at the start of a log line. */
export const PY_STAMP = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}`;

/** The part of every test config that keeps a run local and fast; `extra` is appended verbatim (YAML). */
export const BASE_CONFIG = [
  "status: { listen: '127.0.0.1:0' }",
  "checks: { disk: null }",
  "remediation: { allowed_roots: [modelos], backoff: [0.1, 0.2, 0.4] }",
].join("\n");

/** Variables that would make vigia talk to the outside or pick another config. */
const SCRUBBED = /^(TELEGRAM_|ADMIN_ID$|USE_LOCAL_BOT_API$|MAX_RETRIES$|BACKOFF_DELAYS$|VERIFICACION_PERIODICA$|VIGIA_)/;

/** The test's environment minus what vigia reads; Python never writes bytecode next to the fixtures. */
function makeCliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!SCRUBBED.test(k)) env[k] = v;
  return { ...env, PYTHONDONTWRITEBYTECODE: "1", NO_COLOR: "1" };
}

/** A temp working folder with `rules/` copied from the repository and a `vigia.config.yaml`. */
export function makeWorkdir(extraConfig = ""): string {
  const dir = makeTempDir("vigia-cli-").dir;
  cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
  writeFileSync(join(dir, "vigia.config.yaml"), `${BASE_CONFIG}\n${extraConfig}\n`);
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** When the process ended (Date.now()). */
  endedAtMs: number;
}

export interface CliRun {
  child: ChildProcess;
  pid: number;
  done: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
}

const running = new Set<CliRun>();

/**
 * Starts `node bin/vigia.js ARGS` in `cwd` (standard input: `input`, else none), in its own process group (as a terminal job is), so a test can
 * signal vigia alone (`process.kill(pid)`) or the whole job like Ctrl+C does (`process.kill(-pid)`).
 */
export function startVigia(args: string[], cwd: string, extraEnv: Record<string, string> = {}, input?: string): CliRun {
  const stdin = input === undefined ? "ignore" : "pipe";
  const child = spawn(process.execPath, [VIGIA_JS, ...args], { cwd, env: { ...makeCliEnv(), ...extraEnv }, stdio: [stdin, "pipe", "pipe"], detached: true });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, endedAtMs: Date.now() }));
  });
  const run: CliRun = { child, pid: child.pid!, done, stdout: () => stdout, stderr: () => stderr };
  running.add(run);
  void done.then(() => running.delete(run));
  return run;
}

/** Runs `node bin/vigia.js ARGS` to the end; `input`, when given, is its standard input. */
export function runVigia(args: string[], cwd: string, extraEnv: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return startVigia(args, cwd, extraEnv, input).done;
}

/** Parent pid of `pid` from /proc, or null when it is gone. */
function readParentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/** Every live descendant of `pid` (children, grandchildren…), from /proc. */
export function listDescendantPids(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = readParentPid(Number(entry));
    if (ppid !== null) parentOf.set(Number(entry), ppid);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/** True while `pid` runs; a zombie counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals | number = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILLs every vigia a test left running, its supervised children (even in their own groups) included. */
export async function killLeftovers(): Promise<void> {
  for (const run of [...running]) {
    const descendants = listDescendantPids(run.pid);
    killQuietly(-run.pid);
    for (const pid of descendants) killQuietly(pid);
    killQuietly(run.pid);
    await Promise.race([run.done, sleepMs(2000)]);
  }
}

/** The file's text, or "" when it does not exist. */
export function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** One journal element, with the fields the tests read. */
export interface JournalEntry {
  id: string;
  timestamp: string;
  error_type: string;
  error_message: string;
  accion: string | null;
  estado: string;
  fuente: string;
  archivo: string | null;
  campos: Record<string, string>;
  ocurrencias: number;
  duracion_ms: number | null;
  transiciones: Array<{ estado: string; accion: string | null }>;
}

/** The journal's elements; [] while it does not exist (it is replaced atomically, so it always parses). */
export function readJournal(path: string): JournalEntry[] {
  const text = readText(path);
  return text ? (JSON.parse(text) as JournalEntry[]) : [];
}

