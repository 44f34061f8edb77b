// A followed path that is a symlink into another folder, and a symlink swap (`ln -sfn` done atomically: a new link
// renamed over the old one): writes through the link wake the tailer (the link's folder sees no event for them),
// and a swap reads the old target to its end, its late writes during the grace period, then the new one from 0.
import { describe, it, expect } from "@jest/globals";
import { appendFileSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Collector, makeTailer, settleTailers, useTailerTestScaffold } from "../helpers/tailer.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { numberedLines } from "./tail-helpers.js";

const { tempDir, started } = useTailerTestScaffold();

/** Points `link` at `target` atomically, as `ln -sfn` plus a rename does. */
function swapLink(target: string, link: string): void {
  const temp = `${link}.tmp-link`;
  symlinkSync(target, temp);
  renameSync(temp, link);
}

describe("a followed symlink", () => {
  it("is woken by writes to the file it points to in another folder, with no stat poll to help", async () => {
    const root = tempDir();
    mkdirSync(join(root, "data"));
    mkdirSync(join(root, "logs"));
    const real = join(root, "data", "bot-1.log");
    const link = join(root, "logs", "bot.log");
    writeFileSync(real, "");
    symlinkSync(real, link);
    const collector = new Collector();
    // The polls run on a clock that never moves: only the watcher, in place once start() resolves, can deliver.
    const { tailer } = makeTailer(link, collector, { watch: true, clock: new VirtualClock() });
    await started(tailer);
    appendFileSync(real, numberedLines("one", 1, 3));
    await collector.waitForCount(3, 10_000);
    expect(collector.texts()).toEqual(numberedLines("one", 1, 3).trimEnd().split("\n"));
  });

  it("a symlink swap reads the old target to its end and its late writes, then the new target from 0, each line once", async () => {
    const root = tempDir();
    mkdirSync(join(root, "data"));
    mkdirSync(join(root, "logs"));
    const first = join(root, "data", "bot-1.log");
    const second = join(root, "data", "bot-2.log");
    const link = join(root, "logs", "bot.log");
    writeFileSync(first, "");
    symlinkSync(first, link);
    const collector = new Collector();
    const { tailer } = makeTailer(link, collector, { watch: true, pollIntervalMs: 50, rotateGraceMs: 1000 });
    await started(tailer);
    appendFileSync(first, numberedLines("one", 1, 5));
    await collector.waitForCount(5, 10_000);
    writeFileSync(second, numberedLines("two", 1, 3));
    swapLink(second, link);
    appendFileSync(first, numberedLines("one", 6, 2)); // a writer that has not reopened yet
    await collector.waitForCount(10, 10_000);
    appendFileSync(second, numberedLines("two", 4, 2));
    await collector.waitForCount(12, 10_000);
    await settleTailers([tailer]); // past the grace period and checked again: anything read twice is in by now
    const texts = collector.texts();
    expect(texts.filter((t) => t.startsWith("one"))).toEqual(numberedLines("one", 1, 7).trimEnd().split("\n"));
    expect(texts.filter((t) => t.startsWith("two"))).toEqual(numberedLines("two", 1, 5).trimEnd().split("\n"));
    expect(texts).toHaveLength(12);
    expect(collector.eventTypes()).toContain("rotated");
  });
});
