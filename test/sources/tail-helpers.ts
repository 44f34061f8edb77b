// Helpers shared by the tailer tests: numbered lines and their accounting, the writer fixtures as child processes.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait-for.js";

/** `count` numbered lines `prefix-<n>` starting at `from`, newline-terminated. */
export function numberedLines(prefix: string, from: number, count: number): string {
  let out = "";
  for (let n = from; n < from + count; n++) out += `${prefix}-${n}\n`;
  return out;
}

/** Occurrences of each number in lines of the form `<prefix>-<n>`. */
export function countNumbers(texts: string[], prefix: string): Map<number, number> {
  const counts = new Map<number, number>();
  const pattern = new RegExp(`^${prefix}-(\\d+)$`);
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}

/** Numbers in 1..total that are missing or seen more than once. */
export function findGapsAndDuplicates(counts: Map<number, number>, total: number): { missing: number[]; duplicated: number[] } {
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let n = 1; n <= total; n++) {
    const seen = counts.get(n) ?? 0;
    if (seen === 0) missing.push(n);
    if (seen > 1) duplicated.push(n);
  }
  return { missing, duplicated };
}

/** A running fixture script (test/sources/fixtures/*.mjs) with its output captured. */
export interface FixtureProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `text`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `fixtures/<script>` with node; killed (SIGKILL) by `stopFixtures()` if still running. */
export function spawnFixture(script: string, args: string[], options: { uid?: number; gid?: number } = {}): FixtureProcess {
  const child = spawn(process.execPath, [join(FIXTURES_DIR, script), ...args], { stdio: ["ignore", "pipe", "pipe"], ...options });
  let out = "";
  let err = "";
  child.stdout?.on("data", (data: Buffer) => (out += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (err += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  runningFixtures.add(child);
  void exited.then(() => runningFixtures.delete(child));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (text, timeoutMs = 10_000) =>
      waitFor(() => out.includes(text) || child.exitCode !== null, { what: `"${text}" from ${script}`, timeoutMs }).then(() => {
        if (!out.includes(text)) throw new Error(`${script} exited (${child.exitCode}) before "${text}": ${err}`);
      }),
    exited,
  };
}

const runningFixtures = new Set<ChildProcess>();
const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** Kills every fixture process still running (afterEach). */
export async function stopFixtures(): Promise<void> {
  for (const child of runningFixtures) child.kill("SIGKILL");
  await waitFor(() => runningFixtures.size === 0, "fixture processes to exit");
}
