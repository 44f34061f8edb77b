// Shared by the torture scenarios: scale, the real `vigia run` as a child process,
// journal reading, and the one-line figure each scenario prints.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../../helpers/wait-for.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const VIGIA_BIN = join(REPO_ROOT, "bin", "vigia.js");
export const DIST = join(REPO_ROOT, "dist");
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** TORTURE_FULL=1 runs every scenario at its full size; the default keeps the CI run short. */
const FULL = process.env.TORTURE_FULL === "1";

/** The CI figure, or the full one under TORTURE_FULL=1. */
export function pickSize<T>(ci: T, full: T): T {
  return FULL ? full : ci;
}

/** Python's `logging` prefix for now: `2025-12-25 14:30:20,131`. */
export function formatLogTimestamp(date = new Date()): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

/** Prints a scenario's figure in one greppable line: `[torture] name: key=value …`. */
export function reportFigure(name: string, figures: Record<string, unknown>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`)
    .join(" ");
  console.log(`[torture] ${name}: ${text}`);
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its printed seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of this run: TORTURE_SEED, else the clock. */
export function pickSeed(): number {
  return process.env.TORTURE_SEED ? Number(process.env.TORTURE_SEED) : Date.now() % 1_000_000;
}

export interface VigiaSetup {
  /** The config's folder (vigia's working directory). */
  dir: string;
  configPath: string;
  logPath: string;
  journalPath: string;
  stateDir: string;
}

export interface VigiaSetupOptions {
  /** Extra top-level YAML lines (e.g. `notify: …`); each must be a complete key. */
  extraYaml?: string[];
  /** `remediation:` block as one YAML flow mapping. */
  remediation?: string;
  /** `multiline.flush_ms` of the bot source. */
  flushMs?: number;
  /** `status: { listen: … }`; default 0 (any free port). */
  statusListen?: string | number | null;
  /** Rule files to copy into rules/ (default: the shipped rules/descargas.yaml). */
  ruleFiles?: string[];
}

/**
 * A vigia installation in `dir`: vigia.config.yaml with one `bot` source (Python multiline start) at
 * logs/bot.log, the shipped rules copied into rules/, journal and state under logs/.
 */
export function writeVigiaSetup(dir: string, options: VigiaSetupOptions = {}): VigiaSetup {
  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "rules"), { recursive: true });
  mkdirSync(join(dir, "modelos"), { recursive: true });
  for (const file of options.ruleFiles ?? [join(REPO_ROOT, "rules", "descargas.yaml")]) {
    copyFileSync(file, join(dir, "rules", file.split("/").pop()!));
  }
  const flush = options.flushMs === undefined ? "" : `, flush_ms: ${options.flushMs}`;
  const listen = options.statusListen === undefined ? 0 : options.statusListen;
  const lines = [
    "sources:",
    "  - name: bot",
    "    path: logs/bot.log",
    `    multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}'${flush} }`,
    "rules: rules",
    "journal: logs/descarga_errors.json",
    "state_dir: logs/.vigia",
    "log_dir: logs",
    `remediation: ${options.remediation ?? "{ allowed_roots: [modelos] }"}`,
    "checks: { disk: null }",
    `status: { listen: ${listen === null ? "null" : JSON.stringify(listen)} }`,
    ...(options.extraYaml ?? ["notify: { telegram: null }"]),
    "",
  ];
  const configPath = join(dir, "vigia.config.yaml");
  writeFileSync(configPath, lines.join("\n"));
  return {
    dir,
    configPath,
    logPath: join(dir, "logs", "bot.log"),
    journalPath: join(dir, "logs", "descarga_errors.json"),
    stateDir: join(dir, "logs", ".vigia"),
  };
}

/** `vigia run` as a child process, with its output captured. */
export class VigiaProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = "";
  private err = "";

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (t: string) => (this.out = (this.out + t).slice(-200_000)));
    child.stderr?.on("data", (t: string) => (this.err = (this.err + t).slice(-200_000)));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    liveChildren.add(child);
    void this.exited.then(() => liveChildren.delete(child));
  }

  /**
   * Starts `node bin/vigia.js run --config <setup> …args` in the setup's folder, with a clean environment;
   * `wrapper` goes before it (e.g. `prlimit --nofile=512`).
   */
  static start(setup: VigiaSetup, args: string[] = [], env: Record<string, string> = {}, wrapper: string[] = []): VigiaProcess {
    const command = [...wrapper, process.execPath, VIGIA_BIN, "run", "--config", setup.configPath, ...args];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: setup.dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: setup.dir, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new VigiaProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote (the logger writes to stderr). */
  output(): string {
    return this.out + this.err;
  }

  /** Resolves once the banner is out (the daemon is running), with the status server's port when it listens. */
  async waitForBanner(timeoutMs = 90_000): Promise<{ statusPort: number | null }> {
    await waitFor(() => /remediation: /.test(this.err) || !this.isRunning, { what: "vigia's banner", timeoutMs: timeoutMs });
    if (!this.isRunning) throw new Error(`vigia exited before its banner:\n${this.output().slice(-3000)}`);
    const m = /status: http:\/\/[^:]+:(\d+)\/health/.exec(this.err);
    return { statusPort: m ? Number(m[1]) : null };
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.isRunning) this.child.kill(signal);
  }
}

const liveChildren = new Set<ChildProcess>();

/** Kills (SIGKILL) every child started through this kit that still runs; for afterEach/afterAll. */
export async function killAllChildren(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((r) => child.once("exit", r)));
      child.kill("SIGKILL");
    }
  }
  await Promise.all(waits);
  liveChildren.clear();
}

/** A node script from test/torture/fixtures as a child; killed by killAllChildren(). */
export function spawnFixture(script: string, args: string[], env: Record<string, string> = {}): {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [join(FIXTURES, script), ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (t: string) => (out = (out + t).slice(-1_000_000)));
  child.stderr!.on("data", (t: string) => (err = (err + t).slice(-100_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  liveChildren.add(child);
  void exited.then(() => liveChildren.delete(child));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The journal's elements; throws (with the reason) when the file is not a JSON array. */
export function readJournal(path: string): Array<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${path} is not a JSON array`);
  return parsed as Array<Record<string, unknown>>;
}

/** The journal's elements, or [] while it does not exist yet. */
export function readJournalIfAny(path: string): Array<Record<string, unknown>> {
  try {
    return readJournal(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Peak RSS (VmHWM) and current RSS (VmRSS) of a live process, in bytes; zeros once it is gone. */
export function readRss(pid: number): { peakBytes: number; currentBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { peakBytes: kb("VmHWM"), currentBytes: kb("VmRSS") };
  } catch {
    return { peakBytes: 0, currentBytes: 0 };
  }
}

/** GET http://127.0.0.1:port/path as JSON. */
export async function fetchJson(port: number, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await response.json()) as Record<string, unknown>;
}
