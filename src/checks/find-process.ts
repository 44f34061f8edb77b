/**
 * Process liveness without spawning `ps`: signal 0 for a pid, `/proc/<pid>/cmdline` for a name pattern.
 * Linux-only for patterns and zombie detection; on other systems a pid that accepts signal 0 counts as alive.
 */
import { readFile, readdir } from "node:fs/promises";
import { readTextIfExists } from "../util/read-text-if-exists.js";

/** A pid file that exists but does not hold a pid. */
export class PidFileError extends Error {
  constructor(readonly path: string, readonly content: string) {
    super(`pidfile ${path} does not hold a pid`);
    this.name = "PidFileError";
  }
}

/** Reads the pid in a pid file; null when the file does not exist (the process never started or cleaned up). */
export async function readPidFile(path: string): Promise<number | null> {
  const text = await readTextIfExists(path);
  if (text === null) return null;
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new PidFileError(path, text.slice(0, 40));
  return pid;
}

/** True when a process with this pid exists and is not a zombie. */
export async function isPidAlive(pid: number, procDir = "/proc"): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !(await isZombie(pid, procDir));
}

/** A zombie has exited but was not reaped: signal 0 still succeeds, yet the program is gone. */
async function isZombie(pid: number, procDir: string): Promise<boolean> {
  try {
    const stat = await readFile(`${procDir}/${pid}/stat`, "utf8");
    // Format: `pid (comm) S …`; comm may contain spaces and parentheses, so read the state after the last ')'.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

/**
 * This process and its ancestors. Their command lines name the supervised program too
 * (`npx vigia supervise -- python main.py`), so a pattern must never find them.
 */
export async function listOwnLineage(procDir = "/proc"): Promise<Set<number>> {
  const lineage = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !lineage.has(pid)) {
    lineage.add(pid);
    try {
      const stat = await readFile(`${procDir}/${pid}/stat`, "utf8");
      // `pid (comm) state ppid …`: the ppid is the second field after the last ')'.
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return lineage;
}

/** Pids whose command line (arguments joined by spaces) matches `pattern`, leaving out `excludePids` (default: vigia and its ancestors). */
export async function findPidsByPattern(
  pattern: RegExp,
  options: { procDir?: string; excludePids?: ReadonlySet<number> } = {},
): Promise<number[]> {
  const procDir = options.procDir ?? "/proc";
  const exclude = options.excludePids ?? (await listOwnLineage(procDir));
  const entries = await readdir(procDir);
  const found: number[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry)) return;
      const pid = Number(entry);
      if (exclude.has(pid)) return;
      let cmdline: string;
      try {
        cmdline = await readFile(`${procDir}/${entry}/cmdline`, "utf8");
      } catch {
        return; // exited while we looked, or not ours to read
      }
      const command = cmdline.replace(/\0+$/, "").replace(/\0/g, " ");
      if (command && pattern.test(command)) found.push(pid);
    }),
  );
  return found.sort((a, b) => a - b);
}
