import { describe, it, expect } from "@jest/globals";
import { appendFileSync, copyFileSync, renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import {
  MARKER_BYTES,
  digestBytes,
  getMarkerRange,
  matchesDigest,
  readBytesAt,
  readBytesAtSync,
} from "../../src/sources/fingerprint.js";
import { listRotatedSiblings, locateCheckpointedFile } from "../../src/sources/rotated-siblings.js";
import { readCheckpointAt } from "../../src/sources/recover-checkpoints.js";
import type { FileCheckpoint } from "../../src/sources/checkpoint-store.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { numberedLines } from "./tail-helpers.js";

const tempDir = useTempDirs();

/** The checkpoint a tailer would save for `path` at `offset`. */
async function checkpointOf(path: string, offset: number): Promise<FileCheckpoint> {
  const handle = await open(path, "r");
  try {
    return await readCheckpointAt(handle, statSync(path, { bigint: true }), offset);
  } finally {
    await handle.close();
  }
}

describe("fingerprint and marker digests", () => {
  it("hash exactly the bytes given and say how many", () => {
    const digest = digestBytes(Buffer.from("hello"));
    expect(digest.bytes).toBe(5);
    expect(matchesDigest(Buffer.from("hello"), digest)).toBe(true);
    expect(matchesDigest(Buffer.from("hellO"), digest)).toBe(false);
    expect(matchesDigest(Buffer.from("hello!"), digest)).toBe(false);
  });

  it("marker range is the bytes just before the offset, shorter near the start", () => {
    expect(getMarkerRange(0)).toEqual({ position: 0, length: 0 });
    expect(getMarkerRange(50)).toEqual({ position: 0, length: 50 });
    expect(getMarkerRange(1000)).toEqual({ position: 1000 - MARKER_BYTES, length: MARKER_BYTES });
  });

  it("reads byte ranges, short at the end of the file, sync and async alike", async () => {
    const path = join(tempDir(), "f.log");
    writeFileSync(path, "0123456789");
    const handle = await open(path, "r");
    try {
      expect((await readBytesAt(handle, 3, 4)).toString()).toBe("3456");
      expect((await readBytesAt(handle, 8, 10)).toString()).toBe("89");
      expect(readBytesAtSync(handle.fd, 8, 10).toString()).toBe("89");
    } finally {
      await handle.close();
    }
  });
});

describe("locateCheckpointedFile", () => {
  it("finds the file at its path when untouched", async () => {
    const path = join(tempDir(), "bot.log");
    writeFileSync(path, numberedLines("line", 1, 50));
    const checkpoint = await checkpointOf(path, 200);
    appendFileSync(path, "more\n");
    const found = await locateCheckpointedFile(path, checkpoint);
    expect(found?.path).toBe(path);
    expect(found?.sameInode).toBe(true);
    await found?.handle.close();
  });

  it("finds a renamed file among the siblings by inode, ignoring compressed and unrelated names", async () => {
    const dir = tempDir();
    const path = join(dir, "bot.log");
    writeFileSync(path, numberedLines("line", 1, 50));
    const checkpoint = await checkpointOf(path, 120);
    renameSync(path, `${path}.1`);
    writeFileSync(path, numberedLines("new", 1, 80));
    writeFileSync(join(dir, "bot.log.2.gz"), "zz");
    writeFileSync(join(dir, "bot.logger"), numberedLines("line", 1, 50));
    expect((await listRotatedSiblings(path)).map((p) => p.slice(dir.length + 1))).toEqual(["bot.log.1"]);
    const found = await locateCheckpointedFile(path, checkpoint);
    expect(found?.path).toBe(`${path}.1`);
    expect(found?.sameInode).toBe(true);
    await found?.handle.close();
  });

  it("finds a copytruncate copy by content when the inode now holds other bytes", async () => {
    const path = join(tempDir(), "bot.log");
    writeFileSync(path, numberedLines("line", 1, 50));
    const checkpoint = await checkpointOf(path, 300);
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    writeFileSync(path, numberedLines("other", 1, 100));
    const found = await locateCheckpointedFile(path, checkpoint);
    expect(found?.path).toBe(`${path}.1`);
    expect(found?.sameInode).toBe(false);
    await found?.handle.close();
  });

  it("refuses a same-inode file whose bytes before the offset changed, and one that is too short", async () => {
    const path = join(tempDir(), "bot.log");
    const header = "2024-05-01 12:00:00 bot starting\n";
    writeFileSync(path, header + numberedLines("line", 1, 20));
    const checkpoint = await checkpointOf(path, 250);
    writeFileSync(path, header + numberedLines("LINE", 1, 20)); // same inode, same first line, other content
    expect(await locateCheckpointedFile(path, checkpoint)).toBeNull();
    writeFileSync(path, header);
    expect(await locateCheckpointedFile(path, checkpoint)).toBeNull();
  });
});
