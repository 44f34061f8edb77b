// Files that appear late (missing or unreadable at start, picked up within a second, from its beginning) and the
// folder watcher's early wake-ups.
import { describe, it, expect, afterEach } from "@jest/globals";
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { TAILER_DEFAULTS } from "../../src/sources/file-tailer.js";
import { createFileSources } from "../../src/sources/file-sources.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { spawnFixture, stopFixtures } from "./tail-helpers.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

/** Each pick-up takes well under a second; the wait only guards against one that never comes (shared, loaded CI). */
const HANG_GUARD_MS = 15_000;

afterEach(() => stopFixtures());
const { defer, tempDir, started } = useTailerTestScaffold();

describe("item 6: missing or unreadable at start", () => {
  it.each([
    ["with the folder watcher", true],
    ["with the stat poll only", false],
  ])("a file missing at start is read from its beginning once it appears (%s)", async (_how, watch) => {
    const path = join(tempDir(), "bot.log");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch, pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs });
    await started(tailer);
    expect(collector.eventTypes()).toEqual(["missing"]);
    expect(tailer.getStats().exists).toBe(false);
    writeFileSync(path, "first line\nsecond line\n");
    await collector.waitForCount(2, HANG_GUARD_MS);
    expect(collector.texts()).toEqual(["first line", "second line"]);
    expect(collector.eventTypes()).toEqual(["missing", "opened"]);
  });

  it("a file whose folders are missing at start is picked up once it appears", async () => {
    const root = tempDir();
    const path = join(root, "app", "logs", "bot.log");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch: true, pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs });
    await started(tailer);
    mkdirSync(join(root, "app"));
    await sleepMs(50); // two events: the watch moves one folder deeper, then the file's own folder appears
    mkdirSync(join(root, "app", "logs"));
    writeFileSync(path, "hello from a new folder\n");
    await collector.waitForCount(1, HANG_GUARD_MS);
    expect(collector.texts()).toEqual(["hello from a new folder"]);
  });

  it("a file unreadable at start (EACCES) is read from its beginning once it is fixed", async () => {
    // Root reads anything: the tailer then runs in a child process as `nobody`, for a real EACCES. The child drops
    // to `nobody` itself once loaded, so the checkout may sit in a folder `nobody` cannot enter.
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, "bot.log");
    const outDir = join(dir, "out");
    mkdirSync(outDir, { mode: 0o777 });
    chmodSync(outDir, 0o777);
    const out = join(outDir, "lines.txt");
    writeFileSync(path, "written while unreadable\n");
    chmodSync(path, 0o000);
    const asNobody = process.getuid?.() === 0 ? ["--as-user", "65534:65534"] : [];
    const child = spawnFixture("tail-child.mjs", ["--path", path, "--out", out, "--start", "end", ...asNobody]);
    await child.waitForStdout("ready");
    await waitFor(() => child.stderr().includes('"unreadable"'), "an unreadable event");
    appendFileSync(path, "written before the fix\n");
    chmodSync(path, 0o644);
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8").includes("before the fix"), "lines after the fix");
    expect(readFileSync(out, "utf8")).toBe("0 written while unreadable\n25 written before the fix\n");
  });
});

describe("folder watcher", () => {
  it("wakes the tailer on each append, long before the stat poll", async () => {
    const path = join(tempDir(), "bot.log");
    writeFileSync(path, "");
    const collector = new Collector();
    // The polls run on a clock that never moves: every line that arrives was brought by the watcher, whose watch is
    // in place once start() resolves.
    const clock = new VirtualClock();
    const { tailer } = makeTailer(path, collector, { watch: true, clock });
    await started(tailer);
    for (let i = 1; i <= 5; i++) {
      appendFileSync(path, `line ${i}\n`);
      await collector.waitForCount(i, HANG_GUARD_MS);
    }
    expect(collector.texts()).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);
    expect(clock.pendingTimers()).toBe(1); // the next poll, never due
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
      // The polls run on a clock that never moves: the lines are brought by the watcher.
      { checkpoints: CheckpointStore.inMemory(), clock: new VirtualClock(), rotateGraceMs: 100, onLines: collector.onLines, onEvent: collector.onEvent },
    );
    await sources.start();
    defer(() => sources.stop());
    appendFileSync(bot, "bot 1\n");
    writeFileSync(backend, "backend 1\n");
    await collector.waitForCount(2, HANG_GUARD_MS);
    expect(collector.lines.map((line) => `${line.source}:${line.text}`).sort()).toEqual(["backend:backend 1", "bot:bot 1"]);
    expect(sources.getStats().map((stats) => stats.exists)).toEqual([true, true]);
  });
});
