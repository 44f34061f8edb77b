import { describe, it, expect } from "@jest/globals";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recoverCheckpoints } from "../../src/sources/recover-checkpoints.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { FileTailer } from "../../src/sources/file-tailer.js";
import type { SourceLine } from "../../src/types.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const tempDir = useTempDirs();

const fileIdOf = (path: string): string => {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}`;
};

describe("recoverCheckpoints", () => {
  it("takes the furthest position of the file now at each path; a tailer resumes from it and reads what follows", async () => {
    const dir = tempDir();
    const log = join(dir, "bot.log");
    const first = "2025-12-25 14:30:20,131 - bot - ERROR - uno\n2025-12-25 14:30:21,131 - bot - ERROR - dos\n";
    writeFileSync(log, `${first}2025-12-25 14:30:22,131 - bot - ERROR - tres\n`);
    const recovered = await recoverCheckpoints([
      { file: log, fileId: fileIdOf(log), endOffset: 44 },
      { file: log, fileId: fileIdOf(log), endOffset: Buffer.byteLength(first) },
      { file: log, fileId: "1:999", endOffset: 10_000 },
    ]);
    expect(recovered.get(log)?.files.map((f) => f.offset)).toEqual([Buffer.byteLength(first)]);

    const store = CheckpointStore.inMemory();
    store.restore(recovered);
    const lines: SourceLine[] = [];
    const tailer = new FileTailer({ source: "bot", path: log, checkpoints: store, onLines: (l) => lines.push(...l) });
    await tailer.start();
    await tailer.stop();
    expect(lines.map((l) => l.text)).toEqual(["2025-12-25 14:30:22,131 - bot - ERROR - tres"]);
  });

  it("leaves out a path whose file is another inode, shorter than the position, or gone", async () => {
    const dir = tempDir();
    const short = join(dir, "short.log");
    const other = join(dir, "other.log");
    writeFileSync(short, "abc\n");
    writeFileSync(other, "abc\n");
    const recovered = await recoverCheckpoints([
      { file: short, fileId: fileIdOf(short), endOffset: 500 },
      { file: other, fileId: "1:2", endOffset: 4 },
      { file: join(dir, "gone.log"), fileId: "1:3", endOffset: 4 },
    ]);
    expect([...recovered.keys()]).toEqual([]);
  });
});
