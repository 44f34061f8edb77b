// A bounded number of open files: more followed files than `maxOpenFiles`, idle ones closed and reopened on
// change, every line still read once, rotations of a closed file still followed.
import { describe, it, expect } from "@jest/globals";
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readlinkSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileSources, type FileSources } from "../../src/sources/file-sources.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { OPEN_FILE_BUDGET_DEFAULTS } from "../../src/sources/open-file-budget.js";
import { planOpenFiles, readOpenFileLimit } from "../../src/sources/open-file-limit.js";
import { Collector, settleTailers, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { numberedLines } from "./tail-helpers.js";

const { defer, tempDir } = useTailerTestScaffold();

const MAX_OPEN = 16;
const READ_SLACK = OPEN_FILE_BUDGET_DEFAULTS.maxConcurrentReads * OPEN_FILE_BUDGET_DEFAULTS.transientFilesPerRead;

/** Descriptors of this process open on files under `dir`. */
function countOpenUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) count++;
    } catch {
      /* closed meanwhile */
    }
  }
  return count;
}

async function startGroup(dir: string, collector: Collector, watch: boolean): Promise<FileSources> {
  const sources = createFileSources([{ source: "apps", path: join(dir, "*.log") }], {
    checkpoints: CheckpointStore.inMemory(),
    maxOpenFiles: MAX_OPEN,
    pollIntervalMs: 50,
    rotateGraceMs: 300,
    watch,
    onLines: collector.onLines,
    onEvent: collector.onEvent,
  });
  await sources.start();
  defer(() => sources.stop());
  return sources;
}

describe.each([
  ["with the folder watcher", true],
  ["with the stat poll only", false],
])("more files than max open files (%s)", (_how, watch) => {
  it("reads every line of 60 files once while holding at most max open files (plus those of reads in progress)", async () => {
    const root = tempDir();
    const dir = join(root, "logs");
    mkdirSync(dir);
    const names = Array.from({ length: 60 }, (_, i) => `f${String(i).padStart(2, "0")}.log`);
    for (const name of names) writeFileSync(join(dir, name), "");
    const collector = new Collector();
    const sources = await startGroup(dir, collector, watch);
    let peak = countOpenUnder(dir);
    const expected: string[] = [];
    for (let round = 1; round <= 3; round++) {
      for (const name of names) {
        appendFileSync(join(dir, name), `${name} round ${round}\n`);
        expected.push(`${name} round ${round}`);
      }
      await waitFor(() => {
        peak = Math.max(peak, countOpenUnder(dir));
        return collector.lines.length >= expected.length;
      }, `${expected.length} lines (have ${collector.lines.length})`);
    }
    await settleTailers(sources.tailers);
    expect(collector.texts().sort()).toEqual(expected.sort());
    expect(peak).toBeLessThanOrEqual(MAX_OPEN + READ_SLACK);
    expect(countOpenUnder(dir)).toBeLessThanOrEqual(MAX_OPEN);
  });

  it("follows a closed file through rename+create and copytruncate: nothing lost, nothing twice", async () => {
    const root = tempDir();
    const dir = join(root, "logs");
    mkdirSync(dir);
    const target = join(dir, "a.log");
    writeFileSync(target, "");
    const others = Array.from({ length: 40 }, (_, i) => join(dir, `z${i}.log`));
    for (const other of others) writeFileSync(other, "");
    const collector = new Collector();
    const sources = await startGroup(dir, collector, watch);
    const texts = () => collector.texts().filter((text) => text.startsWith("a-"));
    appendFileSync(target, numberedLines("a-one", 1, 3));
    await waitFor(() => texts().length === 3, "a.log's first lines");
    // Activity elsewhere closes a.log (least recently active).
    for (const other of others) appendFileSync(other, "noise\n");
    await waitFor(() => collector.lines.length >= 43, "the other files' lines");
    expect(countOpenUnder(target)).toBe(0); // closed while idle
    // Rotated while closed: late lines in the renamed file, then the new file.
    renameSync(target, `${target}.1`);
    appendFileSync(`${target}.1`, numberedLines("a-one", 4, 2));
    writeFileSync(target, numberedLines("a-two", 1, 3));
    await waitFor(() => texts().length === 8, `a.log's rotated and new lines (have ${texts().join(",")})`);
    for (const other of others) appendFileSync(other, "noise\n");
    await waitFor(() => collector.lines.length >= 48 + 40, "the other files' second lines");
    // copytruncate while closed: the copy's unread tail, then the file from 0.
    appendFileSync(target, numberedLines("a-two", 4, 2));
    copyFileSync(target, `${target}.2`);
    truncateSync(target, 0);
    appendFileSync(target, numberedLines("a-three", 1, 2));
    await waitFor(() => texts().length === 12, `a.log's lines after copytruncate (have ${texts().join(",")})`);
    await settleTailers(sources.tailers);
    expect(texts()).toEqual([
      ...numberedLines("a-one", 1, 5).trimEnd().split("\n"),
      ...numberedLines("a-two", 1, 5).trimEnd().split("\n"),
      ...numberedLines("a-three", 1, 2).trimEnd().split("\n"),
    ]);
  });
});

describe("the open-file limit", () => {
  it("reads this process's soft limit from /proc/self/limits", () => {
    expect(readOpenFileLimit("Limit  Soft Limit  Hard Limit  Units\nMax open files            512                  4096                 files\n")).toBe(512);
    expect(readOpenFileLimit()).toBeGreaterThan(0);
  });

  it("defaults to half the limit and refuses a configuration that does not fit, saying what to do", () => {
    expect(planOpenFiles(null, 1024)).toEqual({ ok: true, maxOpenFiles: 512, limit: 1024 });
    expect(planOpenFiles(null, 512)).toEqual({ ok: true, maxOpenFiles: 256, limit: 512 });
    expect(planOpenFiles(300, 512)).toEqual({ ok: true, maxOpenFiles: 300, limit: 512 });
    const tooMany = planOpenFiles(1000, 512);
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.message).toMatch(/max_open_files is 1000, but the open-file limit \(ulimit -n\) is 512.*368 or less.*ulimit -n/);
    const tooLow = planOpenFiles(null, 100);
    expect(tooLow.ok).toBe(false);
    if (!tooLow.ok) expect(tooLow.message).toMatch(/open-file limit \(ulimit -n\) is 100/);
  });
});
