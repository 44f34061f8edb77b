/**
 * Starts a program that must outlive the moment (a restarted bot): its own session and process group, no pipe to
 * vigia, output appended to a log file, not waited for. Nothing of vigia holds it afterwards: no timeout, no abort
 * signal, no kill on exit — stopping vigia or closing an incident leaves it running, as if started by hand.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

export interface DetachedStartSpec {
  /** argv, no shell: each item is one argument. */
  argv: readonly string[];
  cwd: string;
  /** stdout and stderr are appended here (the file and its folder are created when missing). */
  logPath: string;
  /** Default: vigia's own environment. */
  env?: NodeJS.ProcessEnv;
}

export type DetachedStart = { ok: true; pid: number } | { ok: false; error: string };

/** Spawns the program detached; resolves once it is running (pid) or could not be started (ENOENT, EACCES…). */
export async function startDetached(spec: DetachedStartSpec): Promise<DetachedStart> {
  const [file, ...args] = spec.argv;
  if (!file) return { ok: false, error: "empty command" };
  let fd: number;
  try {
    mkdirSync(dirname(spec.logPath), { recursive: true });
    fd = openSync(spec.logPath, "a");
  } catch (error) {
    return { ok: false, error: `log ${spec.logPath}: ${(error as Error).message}` };
  }
  try {
    const child = spawn(file, args, { cwd: spec.cwd, env: spec.env ?? process.env, detached: true, stdio: ["ignore", fd, fd] });
    const started = await new Promise<DetachedStart>((resolve) => {
      child.once("spawn", () => resolve({ ok: true, pid: child.pid! }));
      child.once("error", (error) => resolve({ ok: false, error: error.message }));
    });
    // Not waited for: vigia may exit first. libuv still reaps it if it ends while vigia runs (no zombie).
    child.unref();
    return started;
  } finally {
    closeSync(fd);
  }
}
