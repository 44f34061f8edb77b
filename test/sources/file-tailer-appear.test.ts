// Issue 2, tailing item 6 (missing or unreadable at start, picked up within a second, from its beginning) and the
// folder watcher's early wake-ups.
import { describe, it, expect, afterEach } from "@jest/globals";
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { TAILER_DEFAULTS, type FileTailer } from "../../src/sources/file-tailer.js";
import { createFileSources } from "../../src/sources/file-sources.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { Collector, makeTailer, makeTempDir, sleep, spawnFixture, stopFixtures, waitFor } from "./tail-helpers.js";

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await stopFixtures();
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function tempDir(): string {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

async function started(tailer: FileTailer): Promise<FileTailer> {
  await tailer.start();
  cleanups.push(() => tailer.stop());
  return tailer;
}

describe("item 6: missing or unreadable at start", () => {
  it.each([
    ["with the folder watcher", true],
    ["with the stat poll only", false],
  ])("a file missing at start is read from its beginning within a second of appearing (%s)", async (_how, watch) => {
    const path = join(tempDir(), "bot.log");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch, pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs });
    await started(tailer);
    expect(collector.eventTypes()).toEqual(["missing"]);
    expect(tailer.getStats().exists).toBe(false);
    await sleep(100);
    const appearedAt = Date.now();
    writeFileSync(path, "first line\nsecond line\n");
    await collector.waitForCount(2, 1000);
    expect(Date.now() - appearedAt).toBeLessThan(1000);
    expect(collector.texts()).toEqual(["first line", "second line"]);
    expect(collector.eventTypes()).toEqual(["missing", "opened"]);
  });

  it("a file whose folders are missing at start is picked up within a second of appearing", async () => {
    const root = tempDir();
    const path = join(root, "app", "logs", "bot.log");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch: true, pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs });
    await started(tailer);
    await sleep(100);
    mkdirSync(join(root, "app"));
    await sleep(50);
    mkdirSync(join(root, "app", "logs"));
    const appearedAt = Date.now();
    writeFileSync(path, "hello from a new folder\n");
    await collector.waitForCount(1, 1000);
    expect(Date.now() - appearedAt).toBeLessThan(1000);
    expect(collector.texts()).toEqual(["hello from a new folder"]);
  });

  it("a file unreadable at start (EACCES) is read from its beginning within a second of being fixed", async () => {
    // Root reads anything: the tailer then runs in a child process as `nobody`, for a real EACCES.
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, "bot.log");
    const outDir = join(dir, "out");
    mkdirSync(outDir, { mode: 0o777 });
    chmodSync(outDir, 0o777);
    const out = join(outDir, "lines.txt");
    writeFileSync(path, "written while unreadable\n");
    chmodSync(path, 0o000);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawnFixture("tail-child.mjs", ["--path", path, "--out", out, "--start", "end"], asNobody);
    await child.waitForStdout("ready");
    await waitFor(() => child.stderr().includes('"unreadable"'), "an unreadable event", 2000);
    appendFileSync(path, "written before the fix\n");
    const fixedAt = Date.now();
    chmodSync(path, 0o644);
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8").includes("before the fix"), "lines after the fix", 1000);
    expect(Date.now() - fixedAt).toBeLessThan(1000);
    expect(readFileSync(out, "utf8")).toBe("0 written while unreadable\n25 written before the fix\n");
  });
});

describe("folder watcher", () => {
  it("wakes the tailer within 100 ms of an append, long before the stat poll", async () => {
    const path = join(tempDir(), "bot.log");
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch: true, pollIntervalMs: 30_000 });
    await started(tailer);
    await sleep(150); // let chokidar finish its initial scan
    const latencies: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const writtenAt = Date.now();
      appendFileSync(path, `line ${i}\n`);
      await collector.waitForCount(i, 1000);
      latencies.push(Date.now() - writtenAt);
      await sleep(60); // past chokidar's 50 ms throttle of change events
    }
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it("wakes several tailers sharing one watcher, for a file created after start too", async () => {
    const dir = tempDir();
    const bot = join(dir, "bot.log");
    const backend = join(dir, "backend.log");
    writeFileSync(bot, "");
    const collector = new Collector();
    const sources = createFileSources(
      [
        { source: "bot", path: bot },
        { source: "backend", path: backend },
      ],
      { checkpoints: CheckpointStore.inMemory(), pollIntervalMs: 30_000, rotateGraceMs: 100, onLines: collector.onLines, onEvent: collector.onEvent },
    );
    await sources.start();
    cleanups.push(() => sources.stop());
    await sleep(150);
    appendFileSync(bot, "bot 1\n");
    writeFileSync(backend, "backend 1\n");
    await collector.waitForCount(2, 1000);
    expect(collector.lines.map((line) => `${line.source}:${line.text}`).sort()).toEqual(["backend:backend 1", "bot:bot 1"]);
    expect(sources.getStats().map((stats) => stats.exists)).toEqual([true, true]);
  });
});
