// Tailing across restarts: clean restart (no loss, no duplicate), SIGKILL (no loss, duplicates only after the last
// checkpoint), and files rotated or truncated while vigia was stopped.
import { describe, it, expect, afterEach } from "@jest/globals";
import { appendFileSync, copyFileSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import type { FileTailerOptions } from "../../src/sources/file-tailer.js";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { countNumbers, findGapsAndDuplicates, numberedLines, spawnFixture, stopFixtures } from "./tail-helpers.js";

afterEach(() => stopFixtures());
const { defer, tempDir } = useTailerTestScaffold();

/** Runs a tailer on `path` with checkpoints loaded from `stateDir`, as one vigia process would. */
async function runTailer(path: string, stateDir: string, collector: Collector, overrides: Partial<FileTailerOptions> = {}) {
  const { tailer, checkpoints } = makeTailer(path, collector, { checkpoints: await CheckpointStore.load(stateDir), ...overrides });
  await tailer.start();
  /** Stops as the engine does at shutdown: final read, then checkpoints written synchronously. */
  const shutdown = async (): Promise<void> => {
    await tailer.stop();
    checkpoints.saveSync();
  };
  defer(() => tailer.stop());
  return { tailer, checkpoints, shutdown };
}

/** Appends numbered lines in bursts until `total`, like a busy bot; resolves when all are written. */
function startWriter(path: string, total: number, burst = 20, everyMs = 2): Promise<void> {
  let next = 1;
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        const count = Math.min(burst, total - next + 1);
        appendFileSync(path, numberedLines("n", next, count));
        next += count;
        if (next > total) {
          clearInterval(timer);
          resolve();
        }
      } catch (error) {
        clearInterval(timer);
        reject(error);
      }
    }, everyMs);
    defer(() => clearInterval(timer));
  });
}

/** The offset of `path`'s current file in the checkpoint file, or -1 when there is none yet. */
function readSavedOffset(stateDir: string, path: string): number {
  try {
    const files = JSON.parse(readFileSync(join(stateDir, "checkpoints.json"), "utf8")).files[path].files;
    return files[files.length - 1].offset;
  } catch {
    return -1;
  }
}

describe("item 7: restarts", () => {
  it("a clean restart mid-stream loses nothing and repeats nothing", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, "");
    const seen = new Collector();
    const total = 3000;
    const one = await runTailer(path, stateDir, seen, { watch: true, pollIntervalMs: 20 });
    let written = false;
    const writing = startWriter(path, total).then(() => void (written = true));
    await waitFor(() => seen.lines.length > 300, "some lines before the restart");
    await one.shutdown();
    const linesBeforeRestart = seen.lines.length;
    const sizeAtStop = statSync(path).size;
    await waitFor(() => statSync(path).size > sizeAtStop || written, "lines written while stopped");
    const two = await runTailer(path, stateDir, seen, { watch: true, pollIntervalMs: 20 });
    await writing;
    await waitFor(() => countNumbers(seen.texts(), "n").size === total, "every line");
    await two.shutdown();
    expect(linesBeforeRestart).toBeLessThan(total);
    expect(findGapsAndDuplicates(countNumbers(seen.texts(), "n"), total)).toEqual({ missing: [], duplicated: [] });
    expect(seen.eventTypes()).toContain("resumed");
  });

  it("SIGKILL: no loss, duplicates only after the last checkpoint", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    const out = join(dir, "seen.txt");
    writeFileSync(path, "");
    writeFileSync(out, "");
    const total = 6000;
    const args = ["--path", path, "--out", out, "--state", stateDir, "--start", "beginning", "--save-ms", "50", "--poll-ms", "20"];
    const writing = startWriter(path, total, 30, 3);
    const first = spawnFixture("tail-child.mjs", args);
    await first.waitForStdout("ready");
    await waitFor(() => readSavedOffset(stateDir, path) > 10_000, "the child to process and checkpoint some lines");
    first.child.kill("SIGKILL");
    await first.exited;
    // The checkpoint on disk now is the last one the killed process wrote.
    const lastCheckpoint = readSavedOffset(stateDir, path);
    const seenByFirst = readFileSync(out, "utf8").split("\n").filter(Boolean).length;
    const second = spawnFixture("tail-child.mjs", args);
    await second.waitForStdout("ready");
    await writing;
    const parse = () =>
      readFileSync(out, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((row) => ({ offset: Number(row.slice(0, row.indexOf(" "))), text: row.slice(row.indexOf(" ") + 1) }));
    await waitFor(() => countNumbers(parse().map((row) => row.text), "n").size === total, "every line after the restart");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const rows = parse();
    const counts = countNumbers(rows.map((row) => row.text), "n");
    expect(findGapsAndDuplicates(counts, total).missing).toEqual([]);
    const duplicatedRows = rows.filter((row) => (counts.get(Number(row.text.slice(2))) ?? 0) > 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    for (const row of duplicatedRows) expect(row.offset).toBeGreaterThanOrEqual(lastCheckpoint);
    // The killed process had really moved past its last checkpoint (else this test proves little) …
    expect(seenByFirst).toBeGreaterThan(0);
    expect(lastCheckpoint).toBeGreaterThan(0);
  });

  it("finishes a file renamed while stopped from its checkpoint, then reads the new one from 0", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, numberedLines("a", 1, 10));
    const first = new Collector();
    const one = await runTailer(path, stateDir, first, { startAt: "beginning" });
    await one.shutdown();
    appendFileSync(path, numberedLines("a", 11, 5));
    renameSync(path, `${path}.1`);
    writeFileSync(path, numberedLines("b", 1, 5));
    const second = new Collector();
    await runTailer(path, stateDir, second);
    expect(first.texts()).toEqual(numberedLines("a", 1, 10).trimEnd().split("\n"));
    expect(second.texts()).toEqual([...numberedLines("a", 11, 5).trimEnd().split("\n"), ...numberedLines("b", 1, 5).trimEnd().split("\n")]);
  });

  it("finishes a file copytruncated while stopped from its copy, then reads the file from 0", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, numberedLines("a", 1, 10));
    const first = new Collector();
    const one = await runTailer(path, stateDir, first, { startAt: "beginning" });
    await one.shutdown();
    appendFileSync(path, numberedLines("a", 11, 5));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, numberedLines("b", 1, 40)); // longer than the old offset
    const second = new Collector();
    await runTailer(path, stateDir, second);
    expect(second.texts()).toEqual([...numberedLines("a", 11, 5).trimEnd().split("\n"), ...numberedLines("b", 1, 40).trimEnd().split("\n")]);
  });

  it("reads a file truncated while stopped (no copy kept) from 0, and says the old tail is gone", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, numberedLines("a", 1, 10));
    const one = await runTailer(path, stateDir, new Collector(), { startAt: "beginning" });
    await one.shutdown();
    truncateSync(path, 0);
    appendFileSync(path, numberedLines("b", 1, 3));
    const second = new Collector();
    await runTailer(path, stateDir, second);
    expect(second.texts()).toEqual(numberedLines("b", 1, 3).trimEnd().split("\n"));
    expect(second.events.find((event) => event.type === "missing")?.detail).toMatch(/gone/);
  });

  it("finishes a rotated file still in its grace period at stop, after the restart", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, "a-1\n");
    const first = new Collector();
    const one = await runTailer(path, stateDir, first, { startAt: "beginning", rotateGraceMs: 60_000 });
    renameSync(path, `${path}.1`);
    writeFileSync(path, "b-1\n");
    await one.tailer.poke();
    appendFileSync(`${path}.1`, "a-2 unfinished");
    await one.shutdown();
    const saved = JSON.parse(readFileSync(join(stateDir, "checkpoints.json"), "utf8")).files[path].files;
    expect(saved.map((file: { rotated: boolean }) => file.rotated)).toEqual([true, false]);
    appendFileSync(`${path}.1`, " now done\n");
    appendFileSync(path, "b-2\n");
    const second = new Collector();
    await runTailer(path, stateDir, second);
    expect(first.texts()).toEqual(["a-1", "b-1"]);
    expect(second.texts()).toEqual(["a-2 unfinished now done", "b-2"]);
  });

  it("keeps the checkpoint before an event still being grouped (getPendingOffset)", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, "");
    const first = new Collector();
    let pending: number | undefined;
    const one = await runTailer(path, stateDir, first, { getPendingOffset: () => pending });
    appendFileSync(path, "ERROR boom\nTraceback (most recent call last):\n  File x\n");
    await one.tailer.poke();
    pending = first.lines[0].offset; // the grouper still holds the traceback that starts at line 1
    await one.checkpoints.save();
    expect(one.checkpoints.get(path)?.files[0].offset).toBe(0);
    pending = first.lines[1].offset;
    await one.shutdown();
    const second = new Collector();
    await runTailer(path, stateDir, second);
    // Only what was pending comes again.
    expect(second.texts()).toEqual(["Traceback (most recent call last):", "  File x"]);
  });

  it("a pending event flushed by the engine after stop no longer holds the checkpoint back", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    const stateDir = join(dir, "state");
    writeFileSync(path, "");
    const first = new Collector();
    let pending: number | undefined;
    const one = await runTailer(path, stateDir, first, { getPendingOffset: () => pending });
    appendFileSync(path, "line 1\nline 2\n");
    await one.tailer.poke();
    pending = first.lines[1].offset;
    await one.tailer.stop(); // the grouper still holds line 2 …
    pending = undefined; // … then the engine flushes it, then saves
    one.checkpoints.saveSync();
    appendFileSync(path, "line 3\n");
    const second = new Collector();
    await runTailer(path, stateDir, second);
    expect(second.texts()).toEqual(["line 3"]);
  });
});
