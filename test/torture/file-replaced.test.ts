// Torture: the followed file is deleted and re-created, truncated to zero, truncated and immediately
// refilled with more than before, and replaced (rename over it) by a larger file. The tailer, with its real watcher
// and poll, must hand over every line of every version exactly once.
import { describe, it, expect, afterAll } from "@jest/globals";
import { appendFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { FileTailer } from "../../src/sources/file-tailer.js";
import type { SourceLine } from "../../src/types.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { settleTailers } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { pickSize, reportFigure } from "./helpers/torture-kit.js";

const temp = makeTempDir();
let tailer: FileTailer | null = null;
afterAll(async () => {
  await tailer?.stop();
  temp.cleanup();
});

/** `n-<from>` … `n-<to>`, one per line. */
function numbered(from: number, to: number): string {
  let out = "";
  for (let n = from; n <= to; n++) out += `n-${n}\n`;
  return out;
}

describe("torture: the followed file deleted, truncated, replaced", () => {
  it("hands over every line of every version exactly once", async () => {
    const path = join(temp.dir, "bot.log");
    const counts = new Map<number, number>();
    let seen = 0;
    tailer = new FileTailer({
      source: "bot",
      path,
      checkpoints: CheckpointStore.inMemory(),
      startAt: "beginning",
      onLines: (lines: SourceLine[]) => {
        for (const line of lines) {
          const n = Number(line.text.slice(2));
          counts.set(n, (counts.get(n) ?? 0) + 1);
          seen++;
        }
      },
    });
    writeFileSync(path, numbered(1, 1000));
    await tailer.start();
    const big = pickSize(200_000, 2_000_000);
    const stats = () => tailer!.getStats();
    // Each step: what is done, the distinct lines seen after it, and what else the tailer must have seen before the
    // next step (a deletion or a truncation noticed as such, not only once the file is written again).
    const steps: Array<[string, () => void, number, (() => boolean)?]> = [
      ["deleted, then re-created", () => {
        unlinkSync(path);
        writeFileSync(path, numbered(1001, 2000));
      }, 2000],
      ["deleted, re-created after a pause", () => unlinkSync(path), 2000, () => !stats().exists],
      ["(re-created)", () => writeFileSync(path, numbered(2001, 2500)), 2500],
      ["truncated to zero", () => truncateSync(path, 0), 2500, () => stats().truncations === 1],
      ["(written again after the truncation)", () => appendFileSync(path, numbered(2501, 2600)), 2600],
      ["truncated and refilled at once with more than before", () => {
        truncateSync(path, 0);
        appendFileSync(path, numbered(2601, 4000));
      }, 4000],
      ["replaced by a larger file (rename over it)", () => {
        writeFileSync(`${path}.new`, numbered(4001, 4000 + big));
        renameSync(`${path}.new`, path);
      }, 4000 + big],
      ["appended after the replacement", () => appendFileSync(path, numbered(4001 + big, 5000 + big)), 5000 + big],
    ];
    const figures: Record<string, number> = {};
    await waitFor(() => counts.size >= 1000, "the first 1000 lines");
    for (const [name, act, expectSize, seenToo = () => true] of steps) {
      const t = Date.now();
      act();
      await waitFor(
        () => counts.size >= expectSize && seenToo(),
        { what: `${expectSize} distinct lines after "${name}" (have ${counts.size})`, timeoutMs: 15_000, everyMs: 10, describe: () => JSON.stringify(stats()) },
      );
      figures[name.replace(/\W+/g, "_").replace(/^_|_$/g, "")] = Date.now() - t;
    }
    await settleTailers([tailer]); // past the grace period and checked again: anything read twice is in by now
    const total = 5000 + big;
    const duplicated = [...counts].filter(([, c]) => c > 1).length;
    const missing = total - [...counts.keys()].filter((n) => n >= 1 && n <= total).length;
    reportFigure("file replaced", { lines: total, seen, missing, duplicated, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${k}_ms`, v])) });
    expect(missing).toBe(0);
    expect(duplicated).toBe(0);
    expect(seen).toBe(total);
  });
});
