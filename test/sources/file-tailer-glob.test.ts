// Glob sources: `sources[].path: logs/*.log` follows every matching file, each with the source's name and its own
// path and checkpoint, picks up files created while running, and does not read a rotation twice.
import { describe, it, expect } from "@jest/globals";
import { appendFileSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileSources, type FileSources, type FileSourcesOptions } from "../../src/sources/file-sources.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { Collector, settleTailers, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { numberedLines } from "./tail-helpers.js";

const { defer, tempDir } = useTailerTestScaffold();

async function startSources(
  pattern: string,
  collector: Collector,
  overrides: Partial<FileSourcesOptions> = {},
): Promise<FileSources> {
  const sources = createFileSources([{ source: "apps", path: pattern }], {
    checkpoints: CheckpointStore.inMemory(),
    rotateGraceMs: 200,
    onLines: collector.onLines,
    onEvent: collector.onEvent,
    ...overrides,
  });
  await sources.start();
  let stopped = false;
  defer(() => (stopped ? undefined : sources.stop()));
  const stop = sources.stop.bind(sources);
  sources.stop = async () => {
    stopped = true;
    await stop();
  };
  return sources;
}

const SETTLED = "settled";

/**
 * Brings the sources to rest instead of sleeping: every rotated file past its grace period and closed, then a new
 * file that sorts last in the folder's listing (`zz-settled.log`) written and read. A file read twice, or followed
 * by a second tailer, has shown up before its line; the tests expect that line last.
 */
async function settleSources(sources: FileSources, collector: Collector, folder: string): Promise<void> {
  await settleTailers(sources.tailers);
  appendFileSync(join(folder, "zz-settled.log"), `${SETTLED}\n`);
  await waitFor(() => collector.texts().includes(SETTLED), "the line of a file created to settle the sources");
  await settleTailers(sources.tailers);
}

const byFile = (collector: Collector) =>
  collector.lines.map((line) => `${line.source} ${line.file.slice(line.file.lastIndexOf("/") + 1)} ${line.text}`);

describe.each([
  ["with the folder watcher", true],
  ["with the stat poll only", false],
])("glob sources (%s)", (_how, watch) => {
  it("follows every file matching logs/*.log, each under the source's name with its own path; not rotated siblings nor other names", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    writeFileSync(join(logs, "a.log"), "a-1\n");
    writeFileSync(join(logs, "b.log"), "b-1\n");
    writeFileSync(join(logs, "a.log.1"), "a-old\n");
    writeFileSync(join(logs, "notes.txt"), "not a log\n");
    writeFileSync(join(logs, ".hidden.log"), "hidden\n");
    const collector = new Collector();
    const sources = await startSources(join(logs, "*.log"), collector, { startAt: "beginning", watch });
    await collector.waitForCount(2);
    expect(sources.getStats().map((s) => s.path).sort()).toEqual([join(logs, "a.log"), join(logs, "b.log")]);
    expect(byFile(collector).sort()).toEqual(["apps a.log a-1", "apps b.log b-1"]);
    expect(collector.lines.find((line) => line.text === "a-1")?.file).toBe(join(logs, "a.log"));
  });

  it("reads a file created while running from its first byte, in a new sub-folder too with **", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    writeFileSync(join(logs, "old.log"), "written before start\n");
    const collector = new Collector();
    const sources = await startSources(join(logs, "**", "*.log"), collector, { watch, pollIntervalMs: 100 });
    writeFileSync(join(logs, "new.log"), "new-1\nnew-2\n");
    mkdirSync(join(logs, "worker", "7"), { recursive: true });
    writeFileSync(join(logs, "worker", "7", "w.log"), "w-1\n");
    appendFileSync(join(logs, "old.log"), "old-2\n");
    await collector.waitForCount(4);
    await settleSources(sources, collector, logs);
    expect(byFile(collector).sort()).toEqual(["apps new.log new-1", "apps new.log new-2", "apps old.log old-2", "apps w.log w-1", `apps zz-settled.log ${SETTLED}`]);
  });

  it("keeps one checkpoint per file: after a restart each file resumes where it stopped", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    const state = join(dir, "state");
    mkdirSync(logs);
    for (const name of ["a", "b", "c"]) writeFileSync(join(logs, `${name}.log`), `${name}-1\n`);
    const first = new Collector();
    const store = await CheckpointStore.load(state);
    const one = await startSources(join(logs, "*.log"), first, { watch, startAt: "beginning", checkpoints: store });
    await first.waitForCount(3);
    await one.stop();
    await store.save(); // the engine saves after its sources stopped
    for (const name of ["a", "b", "c"]) expect(store.get(join(logs, `${name}.log`))?.files[0]?.offset).toBe(4);
    for (const name of ["a", "b", "c"]) appendFileSync(join(logs, `${name}.log`), `${name}-2\n`);
    const second = new Collector();
    const two = await startSources(join(logs, "*.log"), second, { watch, checkpoints: await CheckpointStore.load(state) });
    await second.waitForCount(3);
    await settleSources(two, second, logs);
    expect(byFile(second).sort()).toEqual(["apps a.log a-2", "apps b.log b-2", "apps c.log c-2", `apps zz-settled.log ${SETTLED}`]);
  });

  it("a rotation inside the pattern's folder reads every line once (rename+create, and a rename to a name the pattern matches)", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    const bot = join(logs, "bot.log");
    writeFileSync(bot, "");
    const collector = new Collector();
    const sources = await startSources(join(logs, "*.log"), collector, { watch, pollIntervalMs: 50 });
    appendFileSync(bot, numberedLines("one", 1, 5));
    await collector.waitForCount(5);
    renameSync(bot, `${bot}.1`); // logrotate's name: a sibling, not a new source
    writeFileSync(bot, numberedLines("two", 1, 5));
    await collector.waitForCount(10);
    renameSync(bot, join(logs, "bot-2026-01-01.log")); // a dated name the pattern matches: still the same file
    writeFileSync(bot, numberedLines("three", 1, 5));
    await collector.waitForCount(15);
    await settleSources(sources, collector, logs); // nothing read twice, the dated name not followed anew
    expect(collector.texts()).toEqual([
      ...numberedLines("one", 1, 5).trimEnd().split("\n"),
      ...numberedLines("two", 1, 5).trimEnd().split("\n"),
      ...numberedLines("three", 1, 5).trimEnd().split("\n"),
      SETTLED,
    ]);
  });

  it("keeps following a matched file rotated while stopped: the old file finished, the new one read, still followed", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    const state = join(dir, "state");
    mkdirSync(logs);
    const bot = join(logs, "bot.log");
    writeFileSync(bot, "");
    const store = await CheckpointStore.load(state);
    const first = new Collector();
    const one = await startSources(join(logs, "*.log"), first, { watch, pollIntervalMs: 50, checkpoints: store });
    appendFileSync(bot, "before-1\n");
    await first.waitForCount(1);
    await one.stop();
    await store.save();
    appendFileSync(bot, "before-2\n");
    renameSync(bot, `${bot}.1`);
    writeFileSync(bot, "after-1\n");
    unlinkSync(`${bot}.1`); // gone too: reported, and bot.log is still followed
    const second = new Collector();
    const two = await startSources(join(logs, "*.log"), second, { watch, pollIntervalMs: 50, checkpoints: await CheckpointStore.load(state) });
    await second.waitForCount(1);
    expect(two.getStats().map((s) => s.path)).toEqual([bot]);
    await settleSources(two, second, logs);
    expect(second.texts()).toEqual(["after-1", SETTLED]);
    expect(second.eventTypes()).toContain("missing");
    appendFileSync(bot, "after-2\n");
    await second.waitForCount(3);
    expect(second.texts()).toEqual(["after-1", SETTLED, "after-2"]);
  });

  it("drops a matched file once it is deleted and read to its end", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    writeFileSync(join(logs, "keep.log"), "");
    writeFileSync(join(logs, "gone.log"), "");
    const collector = new Collector();
    const store = await CheckpointStore.load(join(dir, "state"));
    const sources = await startSources(join(logs, "*.log"), collector, { watch, pollIntervalMs: 50, checkpoints: store });
    await store.save();
    expect(store.get(join(logs, "gone.log"))).toBeDefined();
    appendFileSync(join(logs, "gone.log"), "last words\n");
    unlinkSync(join(logs, "gone.log"));
    await waitFor(() => sources.getStats().length === 1, "the deleted file to be dropped");
    expect(sources.getStats().map((s) => s.path)).toEqual([join(logs, "keep.log")]);
    expect(collector.texts()).toEqual(["last words"]);
    await store.save();
    expect(store.get(join(logs, "gone.log"))).toBeUndefined(); // no checkpoint left behind for a file that is gone
    expect(store.get(join(logs, "keep.log"))).toBeDefined();
  });
});
