/**
 * Helpers for running scripts/*.sh and the fake bot for real: a throw-away VIGIA_HOME, a scrubbed environment
 * (no Telegram secrets, no user overrides), process liveness that treats zombies as gone, and polling.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "../helpers/temp-dir.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const SCRIPTS = join(REPO, "scripts");
export const FAKE_BOT = join(REPO, "fixtures", "fake_bot", "main.py");

/** Variables that would make a test vigia talk to the outside or change its config. */
const SCRUBBED = /^(TELEGRAM_|ADMIN_ID$|USE_LOCAL_BOT_API$|MAX_RETRIES$|BACKOFF_DELAYS$|VERIFICACION_PERIODICA$|VIGIA_|BOT_CMD$|BOT_LOG$|STOP_GRACE_SECONDS$|START_CHECK_SECONDS$)/;

/** The test's environment minus anything vigia or the scripts read, plus `extra`. */
export function makeScriptEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!SCRUBBED.test(k)) env[k] = v;
  return { ...env, VIGIA_HOME: home, VIGIA_NODE: process.execPath, ...extra };
}

/**
 * A temp working folder for vigia. Its config only moves what would clash between parallel runs or leave the
 * folder: the status server on a free port, and the rules shipped in the repository.
 */
export function makeVigiaHome(): string {
  const home = makeTempDir("vigia-scripts-").dir;
  writeFileSync(
    join(home, "vigia.config.yaml"),
    `rules: ${JSON.stringify(join(REPO, "rules"))}\nstatus: { listen: '127.0.0.1:0' }\n`,
  );
  return home;
}

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts a command, collecting its output; `done` resolves when it exits. */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<ScriptResult>; output: () => string } {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const done = new Promise<ScriptResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

/** Runs scripts/<name> to the end. */
export function runScript(name: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<ScriptResult> {
  return startProcess("bash", [join(SCRIPTS, name), ...args], env).done;
}

/** True while `pid` runs; an exited process its parent has not reaped yet (zombie) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The file's text, or "" when it does not exist. */
export function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** Kills leftovers of a failed test so they do not outlive the suite. */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Writes a stand-in for `bin/vigia.js` into `home` (its name contains "vigia", as the scripts' PID check wants),
 * for behaviour the real vigia never shows: `stubborn` ignores SIGTERM/SIGINT (to test the SIGKILL fallback),
 * `fails` exits 2 at once (a broken config). Returns its path, for VIGIA_JS.
 */
export function writeStandInVigia(home: string, mode: "stubborn" | "fails"): string {
  const path = join(home, `stand-in-vigia-${mode}.mjs`);
  const source =
    mode === "stubborn"
      ? `process.on("SIGTERM", () => console.log("stand-in vigia: ignoring SIGTERM"));\n` +
        `process.on("SIGINT", () => console.log("stand-in vigia: ignoring SIGINT"));\n` +
        `setInterval(() => {}, 1000);\nconsole.log("stand-in vigia running");\n`
      : `console.error("stand-in vigia: invalid config");\nprocess.exit(2);\n`;
  writeFileSync(path, source);
  return path;
}
