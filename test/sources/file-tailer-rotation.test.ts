// Tailing through rotation: rename-and-create, copytruncate, delete/re-create, inode reuse.
import { describe, it, expect } from "@jest/globals";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { TAILER_DEFAULTS } from "../../src/sources/file-tailer.js";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { numberedLines } from "./tail-helpers.js";

const { tempPath, started } = useTailerTestScaffold();

function inodeOf(path: string): bigint {
  return statSync(path, { bigint: true }).ino;
}

describe("item 3: rename-and-create", () => {
  it("defaults to a 5 s grace period", () => {
    expect(TAILER_DEFAULTS.rotateGraceMs).toBe(5000);
  });

  it("reads the old file to its end, its late writes during the grace period, then the new one from 0", async () => {
    const path = tempPath();
    const writer = openSync(path, "a");
    writeSync(writer, numberedLines("a", 1, 3));
    const collector = new Collector();
    const clock = new VirtualClock();
    const { tailer } = makeTailer(path, collector, { rotateGraceMs: 400, clock });
    await started(tailer);
    writeSync(writer, numberedLines("a", 4, 2) + "a-6 unfinished");
    renameSync(path, `${path}.1`);
    writeFileSync(path, numberedLines("b", 1, 2));
    await tailer.poke();
    // The writer has not reopened yet: it completes its line and writes more into the rotated file.
    writeSync(writer, " now finished\na-7\n");
    await tailer.poke();
    closeSync(writer);
    expect(collector.texts()).toEqual(["a-4", "a-5", "b-1", "b-2", "a-6 unfinished now finished", "a-7"]);
    expect(tailer.getStats()).toMatchObject({ rotations: 1, drainingFiles: 1 });
    expect(collector.eventTypes()).toContain("rotated");
    // After the grace period the old file is closed.
    clock.jump(400);
    await tailer.poke();
    expect(tailer.getStats().drainingFiles).toBe(0);
    expect(collector.eventTypes()).toContain("closed");
    appendFileSync(path, "b-3\n");
    await tailer.poke();
    expect(collector.texts().slice(-1)).toEqual(["b-3"]);
    const newId = statSync(path, { bigint: true });
    expect(collector.lines[collector.lines.length - 1].fileId).toBe(`${newId.dev}:${newId.ino}`);
  });

  it("emits an unfinished last line of the rotated file when its grace period ends", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const clock = new VirtualClock();
    const { tailer } = makeTailer(path, collector, { rotateGraceMs: 50, clock });
    await started(tailer);
    appendFileSync(path, "whole\ncut by rotation");
    renameSync(path, `${path}.1`);
    await tailer.poke();
    expect(collector.texts()).toEqual(["whole"]);
    clock.jump(50);
    await tailer.poke();
    expect(collector.texts()).toEqual(["whole", "cut by rotation"]);
  });

  it("loses nothing across two rotations between two checks", async () => {
    const path = tempPath();
    writeFileSync(path, numberedLines("n", 1, 5));
    const collector = new Collector();
    const clock = new VirtualClock();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning", rotateGraceMs: 50, clock });
    await started(tailer);
    appendFileSync(path, numberedLines("n", 6, 5));
    // Rotation 1: A → .1, B created and written.
    renameSync(path, `${path}.1`);
    writeFileSync(path, numberedLines("n", 11, 10));
    // Rotation 2 before any check: .1 → .2, B → .1, C created and written.
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, numberedLines("n", 21, 10));
    await tailer.poke();
    clock.jump(50);
    await tailer.poke();
    expect(collector.texts()).toEqual(numberedLines("n", 1, 30).trimEnd().split("\n"));
    expect(tailer.getStats().rotations).toBe(2);
  });

  it("does not re-read older rotated files already there", async () => {
    const path = tempPath();
    writeFileSync(`${path}.1`, numberedLines("older", 1, 5));
    writeFileSync(`${path}.2`, numberedLines("oldest", 1, 5));
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { rotateGraceMs: 50 });
    await started(tailer);
    appendFileSync(path, "cur-1\n");
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, "next-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual(["cur-1", "next-1"]);
  });
});

describe("item 4: copytruncate", () => {
  it("detects a refill shorter than the old offset, reads the copy's unread tail, then the file from 0", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    appendFileSync(path, numberedLines("old", 1, 20));
    await tailer.poke();
    appendFileSync(path, numberedLines("old", 21, 2)); // written after our last read, before the copy
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, "new-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual([...numberedLines("old", 1, 22).trimEnd().split("\n"), "new-1"]);
    expect(tailer.getStats().truncations).toBe(1);
    expect(collector.lines[collector.lines.length - 1].offset).toBe(0);
  });

  it("detects a refill longer than the old offset by content, not size", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    appendFileSync(path, numberedLines("old", 1, 5));
    await tailer.poke();
    const oldSize = statSync(path).size;
    appendFileSync(path, "old-6\n");
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, numberedLines("new", 1, 50));
    expect(statSync(path).size).toBeGreaterThan(oldSize);
    await tailer.poke();
    expect(collector.texts()).toEqual([
      ...numberedLines("old", 1, 6).trimEnd().split("\n"),
      ...numberedLines("new", 1, 50).trimEnd().split("\n"),
    ]);
    expect(collector.eventTypes()).toContain("truncated");
  });

  it("detects a longer refill that starts with the same first line (marker before the offset)", async () => {
    const path = tempPath();
    const banner = "2024-05-01 00:00:00 INFO bot started, version 1.2.3\n";
    writeFileSync(path, banner);
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);
    appendFileSync(path, numberedLines("first", 1, 3));
    await tailer.poke();
    truncateSync(path, 0);
    appendFileSync(path, banner + numberedLines("second", 1, 10));
    await tailer.poke();
    expect(collector.texts()).toEqual([
      banner.trimEnd(),
      ...numberedLines("first", 1, 3).trimEnd().split("\n"),
      banner.trimEnd(),
      ...numberedLines("second", 1, 10).trimEnd().split("\n"),
    ]);
  });

  /** What logrotate's copytruncate does to `path`: `.1` → `.2`, copy to `.1` (gzipped when asked), truncate. */
  function copyTruncate(path: string, options: { gzip?: boolean } = {}): void {
    if (existsSync(`${path}.1.gz`)) renameSync(`${path}.1.gz`, `${path}.2.gz`);
    if (existsSync(`${path}.1`)) renameSync(`${path}.1`, `${path}.2`);
    if (options.gzip) writeFileSync(`${path}.1.gz`, gzipSync(readFileSync(path)));
    else copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
  }

  /** An empty file followed by a started tailer that reads only when poked. */
  async function followEmptyFile() {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector);
    await started(tailer);
    return { path, collector, tailer };
  }

  it("two copytruncates between two checks: the rest of the first copy (now .2), the second copy whole, then the file", async () => {
    const { path, collector, tailer } = await followEmptyFile();
    appendFileSync(path, numberedLines("a", 1, 20));
    await tailer.poke();
    appendFileSync(path, numberedLines("a", 21, 5));
    copyTruncate(path);
    appendFileSync(path, numberedLines("b", 1, 30));
    copyTruncate(path);
    appendFileSync(path, numberedLines("c", 1, 3));
    await tailer.poke();
    expect(collector.texts()).toEqual([
      ...numberedLines("a", 1, 25).trimEnd().split("\n"),
      ...numberedLines("b", 1, 30).trimEnd().split("\n"),
      ...numberedLines("c", 1, 3).trimEnd().split("\n"),
    ]);
    expect(tailer.getStats().truncations).toBe(2);
    appendFileSync(path, "c-4\n");
    await tailer.poke();
    expect(collector.texts().slice(-2)).toEqual(["c-3", "c-4"]);
  });

  it("a copytruncate before anything of the content was read: the copy whole, then the file", async () => {
    const { path, collector, tailer } = await followEmptyFile();
    appendFileSync(path, numberedLines("a", 1, 10));
    copyTruncate(path);
    appendFileSync(path, numberedLines("b", 1, 2));
    await tailer.poke();
    expect(collector.texts()).toEqual([...numberedLines("a", 1, 10).trimEnd().split("\n"), "b-1", "b-2"]);
  });

  it("reads compressed copies (logrotate's compress) decompressed, and no copy twice", async () => {
    const { path, collector, tailer } = await followEmptyFile();
    appendFileSync(path, numberedLines("a", 1, 400));
    await tailer.poke();
    appendFileSync(path, numberedLines("a", 401, 300));
    copyTruncate(path, { gzip: true });
    appendFileSync(path, numberedLines("b", 1, 30));
    copyTruncate(path, { gzip: true });
    await tailer.poke();
    appendFileSync(path, "c-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual([
      ...numberedLines("a", 1, 700).trimEnd().split("\n"),
      ...numberedLines("b", 1, 30).trimEnd().split("\n"),
      "c-1",
    ]);
  });

  it("lines read after logrotate copied and before it truncated are not read again from the copy", async () => {
    const { path, collector, tailer } = await followEmptyFile();
    appendFileSync(path, numberedLines("a", 1, 20));
    await tailer.poke();
    copyFileSync(path, `${path}.1`);
    appendFileSync(path, numberedLines("a", 21, 2)); // not in the copy: lost by copytruncate, unless read now
    await tailer.poke();
    truncateSync(path, 0);
    appendFileSync(path, "b-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual([...numberedLines("a", 1, 22).trimEnd().split("\n"), "b-1"]);
  });

  it("skips the NUL padding a writer without O_APPEND leaves after the truncation", async () => {
    const path = tempPath();
    const writer = openSync(path, "w"); // no O_APPEND: the writer keeps its own position
    writeSync(writer, numberedLines("w", 1, 10));
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);
    copyFileSync(path, `${path}.1`);
    const truncater = openSync(path, "r+");
    ftruncateSync(truncater, 0);
    closeSync(truncater);
    await tailer.poke(); // sees the truncation: reads again from 0
    writeSync(writer, "w-11\n"); // lands at the writer's old position: a hole of NULs before it
    await tailer.poke();
    const truncaterAgain = openSync(path, "r+");
    ftruncateSync(truncaterAgain, 0);
    closeSync(truncaterAgain);
    await tailer.poke();
    writeSync(writer, "w-12\n"); // the same again: the hole is now longer than what was read
    closeSync(writer);
    expect(statSync(path).size).toBe(Buffer.byteLength(numberedLines("w", 1, 12)));
    await tailer.poke();
    expect(collector.texts()).toEqual(numberedLines("w", 1, 12).trimEnd().split("\n"));
    expect(collector.lines.slice(-2).map((line) => line.offset)).toEqual([
      Buffer.byteLength(numberedLines("w", 1, 10)),
      Buffer.byteLength(numberedLines("w", 1, 11)),
    ]);
    expect(tailer.getStats().truncations).toBe(2);
  });
});

describe("item 5: delete and re-create, inode reuse, same first line", () => {
  it("reads a deleted and re-created file from 0 after the old one's last lines", async () => {
    const path = tempPath();
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { rotateGraceMs: 50 });
    await started(tailer);
    appendFileSync(path, "old-1\nold-2\n");
    unlinkSync(path);
    await tailer.poke();
    expect(collector.texts()).toEqual(["old-1", "old-2"]);
    expect(tailer.getStats().exists).toBe(false);
    writeFileSync(path, "new-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual(["old-1", "old-2", "new-1"]);
  });

  it("a re-created file reusing the inode and the first line is read from 0 (while running)", async () => {
    const path = tempPath();
    const banner = "2024-05-01 00:00:00 INFO bot started\n";
    writeFileSync(path, banner + "old-1\n");
    const collector = new Collector();
    const clock = new VirtualClock();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning", rotateGraceMs: 20, clock });
    await started(tailer);
    const oldInode = inodeOf(path);
    unlinkSync(path);
    await tailer.poke();
    clock.jump(20);
    await tailer.poke(); // grace over: the old handle is closed, the inode is free
    writeFileSync(path, banner + "new-1\nnew-2\n");
    await tailer.poke();
    expect(collector.texts()).toEqual([banner.trimEnd(), "old-1", banner.trimEnd(), "new-1", "new-2"]);
    // ext4 and tmpfs hand the freed inode to the next file; say so if this filesystem did not.
    if (inodeOf(path) !== oldInode) console.warn("inode was not reused on this filesystem");
  });

  it("a re-created file reusing the inode and the first line is read from 0 (across a restart)", async () => {
    const path = tempPath();
    const stateDir = join(path, "..", "state");
    const banner = "2024-05-01 00:00:00 INFO bot started\n";
    writeFileSync(path, banner + numberedLines("old", 1, 3));
    const first = new Collector();
    const one = makeTailer(path, first, { startAt: "beginning", checkpoints: await CheckpointStore.load(stateDir) });
    await one.tailer.start();
    await one.tailer.stop();
    one.checkpoints.saveSync();
    const oldInode = inodeOf(path);
    unlinkSync(path);
    writeFileSync(path, banner + numberedLines("new", 1, 20)); // longer: size alone would say "appended"
    const second = new Collector();
    const two = makeTailer(path, second, { checkpoints: await CheckpointStore.load(stateDir) });
    await started(two.tailer);
    expect(second.texts()).toEqual([banner.trimEnd(), ...numberedLines("new", 1, 20).trimEnd().split("\n")]);
    if (inodeOf(path) !== oldInode) console.warn("inode was not reused on this filesystem");
  });

  it("two files with the same first line are two files", async () => {
    const path = tempPath();
    const banner = "2024-05-01 00:00:00 INFO bot started\n";
    writeFileSync(path, banner);
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning", rotateGraceMs: 20 });
    await started(tailer);
    appendFileSync(path, "a-1\n");
    renameSync(path, `${path}.1`);
    writeFileSync(path, banner + "b-1\n");
    await tailer.poke();
    expect(collector.texts()).toEqual([banner.trimEnd(), "a-1", banner.trimEnd(), "b-1"]);
  });

  it("a file renamed away and back is still the same file", async () => {
    const path = tempPath();
    writeFileSync(path, "one\n");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);
    renameSync(path, `${path}.tmp`);
    await tailer.poke();
    renameSync(`${path}.tmp`, path);
    appendFileSync(path, "two\n");
    await tailer.poke();
    await waitFor(() => collector.lines.length >= 2, "two lines");
    expect(collector.texts()).toEqual(["one", "two"]);
  });
});
