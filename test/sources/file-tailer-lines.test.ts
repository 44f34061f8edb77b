// Tailing: lines come out whole and once, in bytes, from the right place.
import { describe, it, expect } from "@jest/globals";
import { appendFileSync, closeSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { TAILER_DEFAULTS } from "../../src/sources/file-tailer.js";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { numberedLines } from "./tail-helpers.js";

const { tempPath, started } = useTailerTestScaffold();

describe("item 1: lines split across writes, CRLF, emoji, UTF-8 split across reads", () => {
  it("emits a line written in pieces once, whole, with byte offsets", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    for (const piece of ["2024-05-01 12:00:00 ER", "ROR timeout on ", "ana/v1.mp4\nsec", "ond\n"]) {
      appendFileSync(path, piece);
      await tailer.poke();
    }
    expect(collector.texts()).toEqual(["2024-05-01 12:00:00 ERROR timeout on ana/v1.mp4", "second"]);
    expect(collector.lines.map((line) => [line.offset, line.endOffset])).toEqual([
      [0, 48],
      [48, 55],
    ]);
    const st = statSync(path, { bigint: true });
    expect(collector.lines[0]).toMatchObject({ source: "bot", file: path, fileId: `${st.dev}:${st.ino}` });
    expect(collector.lines[0].truncatedBytes).toBeUndefined();
  });

  it("strips CRLF and decodes emoji and accents split across reads (7-byte reads)", async () => {
    const path = tempPath();
    const content = "descarga ñandú 🎬 ok\r\ncafé ☕ listo\r\n日本語のログ\n";
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { readChunkBytes: 7 });
    await started(tailer);
    // A write boundary inside the 4-byte emoji too.
    const bytes = Buffer.from(content);
    const cut = bytes.indexOf(Buffer.from("🎬")) + 2;
    appendFileSync(path, bytes.subarray(0, cut));
    await tailer.poke();
    appendFileSync(path, bytes.subarray(cut));
    await tailer.poke();
    expect(collector.texts()).toEqual(["descarga ñandú 🎬 ok", "café ☕ listo", "日本語のログ"]);
    const ends = collector.lines.map((line) => line.endOffset);
    expect(ends[ends.length - 1]).toBe(bytes.length);
    expect(collector.lines[1].offset).toBe(Buffer.byteLength("descarga ñandú 🎬 ok\r\n"));
  });

  it("delivers in batches, one per chunk read", async () => {
    const path = tempPath();
    writeFileSync(path, numberedLines("line", 1, 5000));
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning", readChunkBytes: 16 * 1024 });
    await started(tailer);
    expect(collector.lines).toHaveLength(5000);
    expect(collector.batches).toBeGreaterThan(1);
    expect(collector.batches).toBeLessThan(20);
  });
});

describe("item 2: a last line without newline is held, then emitted once", () => {
  it("holds it, keeps the checkpoint before it, emits it once completed", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer, checkpoints } = makeTailer(path, collector);
    await started(tailer);
    appendFileSync(path, "complete\nparti");
    await tailer.poke();
    await tailer.poke();
    expect(collector.texts()).toEqual(["complete"]);
    await checkpoints.save();
    expect(checkpoints.get(path)?.files[0].offset).toBe(9);
    appendFileSync(path, "al line\n");
    await tailer.poke();
    expect(collector.texts()).toEqual(["complete", "partial line"]);
    expect(collector.lines[1]).toMatchObject({ offset: 9, endOffset: 22 });
  });

  it("after a restart too: the held line is emitted once, the lines before it never again", async () => {
    const path = tempPath();
    const stateDir = join(path, "..", "state");
    writeFileSync(path, "");
    const first = new Collector();
    const one = makeTailer(path, first, { checkpoints: await CheckpointStore.load(stateDir) });
    await one.tailer.start();
    appendFileSync(path, "before\nhalf of it");
    await one.tailer.poke();
    await one.tailer.stop();
    one.checkpoints.saveSync();
    expect(first.texts()).toEqual(["before"]);

    appendFileSync(path, " and the rest\nafter\n");
    const second = new Collector();
    const two = makeTailer(path, second, { checkpoints: await CheckpointStore.load(stateDir) });
    await started(two.tailer);
    expect(second.texts()).toEqual(["half of it and the rest", "after"]);
    expect(second.eventTypes()).toContain("resumed");
  });
});

describe("item 8: long lines are cut and counted, memory bounded; binary junk is harmless", () => {
  it("cuts a 100 MB line without newline to maxLineBytes with bounded memory, then reads on", async () => {
    const path = tempPath();
    const mib = Buffer.alloc(1024 * 1024, "z");
    const fd = openSync(path, "w");
    writeSync(fd, "first\n");
    for (let i = 0; i < 100; i++) writeSync(fd, mib);
    closeSync(fd);
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
    await started(tailer);
    expect(collector.texts()).toEqual(["first"]); // the huge line is still unfinished: held, capped
    appendFileSync(path, "\nnext line\n");
    await tailer.poke();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    expect(collector.lines).toHaveLength(3);
    const [, huge, next] = collector.lines;
    expect(huge.text).toHaveLength(TAILER_DEFAULTS.maxLineBytes);
    expect(huge.truncatedBytes).toBe(100 * 1024 * 1024 - TAILER_DEFAULTS.maxLineBytes);
    expect(huge).toMatchObject({ offset: 6, endOffset: 6 + 100 * 1024 * 1024 + 1 });
    expect(next.text).toBe("next line");
    expect(tailer.getStats().truncatedLines).toBe(1);
    expect(collector.events.filter((event) => event.type === "line_truncated")).toHaveLength(1);
    expect(peakRss - rssBefore).toBeLessThan(40 * 1024 * 1024);
  });

  it("survives binary junk, invalid UTF-8 and NULs mid-line", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { maxLineBytes: 512 });
    await started(tailer);
    const junk = Buffer.alloc(300_000);
    let seed = 7;
    for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 69069 + 1) >>> 0) >>> 24;
    appendFileSync(path, Buffer.concat([Buffer.from("ok before\n"), junk, Buffer.from([0xff, 0xfe, 0xc3, 0x0a]), Buffer.from("ok after\n")]));
    await tailer.poke();
    const texts = collector.texts();
    expect(texts[0]).toBe("ok before");
    expect(texts[texts.length - 1]).toBe("ok after");
    expect(texts.every((text) => Buffer.byteLength(text) <= 512 * 3)).toBe(true);
    expect(collector.eventTypes()).not.toContain("error");
  });
});

describe("item 9: lost watch events — the stat poll still delivers", () => {
  it("delivers appended lines with the watcher off, by the default 250 ms poll", async () => {
    const path = tempPath();
    writeFileSync(path, "old\n");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { watch: false, pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs });
    await started(tailer);
    appendFileSync(path, "polled 1\npolled 2\n");
    // No watcher and no poke: only the poll can bring them; the wait only guards against a poll that never runs.
    await collector.waitForCount(2, 15_000);
    expect(collector.texts()).toEqual(["polled 1", "polled 2"]);
  });
});

describe("item 10: where reading starts on first sight", () => {
  it("defaults to the end: existing lines are skipped, new ones read", async () => {
    const path = tempPath();
    writeFileSync(path, numberedLines("old", 1, 100));
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    appendFileSync(path, "new 1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual(["new 1"]);
  });

  it("at the end, a half-written last line is read whole once completed", async () => {
    const path = tempPath();
    writeFileSync(path, "old\nhalf");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    appendFileSync(path, " done\n");
    await tailer.poke();
    expect(collector.texts()).toEqual(["half done"]);
  });

  it("startAt beginning (--from-start) reads existing content", async () => {
    const path = tempPath();
    writeFileSync(path, numberedLines("old", 1, 100));
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);
    expect(collector.lines).toHaveLength(100);
    expect(collector.texts()[0]).toBe("old-1");
  });

  it("a checkpoint wins over startAt", async () => {
    const path = tempPath();
    const stateDir = join(path, "..", "state");
    writeFileSync(path, numberedLines("old", 1, 10));
    const first = new Collector();
    const one = makeTailer(path, first, { checkpoints: await CheckpointStore.load(stateDir), startAt: "beginning" });
    await one.tailer.start();
    await one.tailer.stop();
    await one.checkpoints.save();
    expect(first.lines).toHaveLength(10);
    appendFileSync(path, "new\n");
    const second = new Collector();
    const two = makeTailer(path, second, { checkpoints: await CheckpointStore.load(stateDir), startAt: "beginning" });
    await started(two.tailer);
    expect(second.texts()).toEqual(["new"]);
  });
});

describe("stats", () => {
  it("reports offset, size, lag and counters", async () => {
    const path = tempPath();
    writeFileSync(path, "a\nb\n");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);
    await waitFor(() => collector.lines.length === 2, "2 lines");
    const stats = tailer.getStats();
    expect(stats).toMatchObject({ exists: true, offset: 4, linesRead: 2, bytesRead: 4, rotations: 0, truncations: 0, lagBytes: 0 });
    expect(stats.lastLineAtMs).not.toBeNull();
  });
});
