// The folder watcher: one watch per folder routes each file's events to its tailer (and a rotated sibling's to the
// file it came from), reports the entries of a glob's folders, and watches a replaced folder again.
import { describe, it, expect, afterEach } from "@jest/globals";
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PathWatcher } from "../../src/sources/path-watcher.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/**
 * Writes with `poke` until `seen` holds. A watch is set some time after it is asked for (on a loaded machine,
 * seconds), and a write made before that is not seen: the first write seen proves the watch is live.
 */
async function pokeUntil(seen: () => boolean, poke: () => void, what: string): Promise<void> {
  await waitFor(
    () => {
      if (seen()) return true;
      poke();
      return false;
    },
    { what, everyMs: 50 },
  );
}

function setUp(): { dir: string; watcher: PathWatcher } {
  const temp = makeTempDir();
  const watcher = new PathWatcher();
  cleanups.push(temp.cleanup, () => watcher.close());
  return { dir: temp.dir, watcher };
}

describe("PathWatcher", () => {
  it("wakes only the tailer of the file written, and the tailer of bot.log for a write to bot.log.1", async () => {
    const { dir, watcher } = setUp();
    const wakes = { bot: 0, api: 0 };
    writeFileSync(join(dir, "bot.log"), "");
    writeFileSync(join(dir, "api.log"), "");
    watcher.watch(join(dir, "bot.log"), () => wakes.bot++);
    watcher.watch(join(dir, "api.log"), () => wakes.api++);
    await pokeUntil(() => wakes.api > 0, () => appendFileSync(join(dir, "api.log"), "x\n"), "api.log's wake-up");
    // Both files' events come from the one watch of their folder, in order: a wake-up of bot.log would be here.
    expect(wakes.bot).toBe(0);
    writeFileSync(join(dir, "bot.log.1"), "late write\n");
    await waitFor(() => wakes.bot > 0, "bot.log's wake-up for bot.log.1");
  });

  it("reports new entries of a tree's folders down to its depth, a new sub-folder included", async () => {
    const { dir, watcher } = setUp();
    const seen = new Set<string>();
    watcher.watchTree(dir, 1, (path) => seen.add(path));
    await pokeUntil(() => seen.has(join(dir, "a.log")), () => writeFileSync(join(dir, "a.log"), ""), "a.log");
    mkdirSync(join(dir, "sub"));
    await waitFor(() => seen.has(join(dir, "sub")), "the new sub-folder");
    // Its watch is set after its creation event.
    await pokeUntil(() => seen.has(join(dir, "sub", "b.log")), () => writeFileSync(join(dir, "sub", "b.log"), ""), `sub/b.log (saw ${[...seen].join(", ")})`);
  });

  it("reports entries of a tree's sub-folders that existed before the watch, and of one deleted and created anew", async () => {
    const { dir, watcher } = setUp();
    mkdirSync(join(dir, "old", "deeper"), { recursive: true });
    const seen = new Set<string>();
    watcher.watchTree(dir, Number.POSITIVE_INFINITY, (path) => seen.add(path));
    const deep = join(dir, "old", "deeper", "c.log");
    await pokeUntil(() => seen.has(deep), () => writeFileSync(deep, ""), "old/deeper/c.log");
    rmSync(join(dir, "old"), { recursive: true });
    mkdirSync(join(dir, "old"));
    await waitFor(() => seen.has(join(dir, "old")), "the sub-folder created anew");
    seen.clear();
    const again = join(dir, "old", "d.log");
    await pokeUntil(() => seen.has(again), () => writeFileSync(again, ""), `old/d.log (saw ${[...seen].join(", ")})`);
  });

  it.each([
    ["moved away", (logs: string) => renameSync(logs, `${logs}.old`)],
    // A new folder may get the deleted one's inode at once: its watch is known to be over all the same.
    ["deleted", (logs: string) => rmSync(logs, { recursive: true })],
  ])("watches a folder again after it was %s and created anew", async (_how, remove) => {
    const { dir, watcher } = setUp();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    const path = join(logs, "bot.log");
    writeFileSync(path, "");
    let wakes = 0;
    watcher.watch(path, () => wakes++);
    const marker = join(dir, "marker.log");
    writeFileSync(marker, "");
    let markerWakes = 0;
    watcher.watch(marker, () => markerWakes++);
    await pokeUntil(() => wakes > 0, () => appendFileSync(path, "x\n"), "bot.log's first wake-up");
    await pokeUntil(() => markerWakes > 0, () => appendFileSync(marker, "x\n"), "marker.log's first wake-up");
    remove(logs);
    mkdirSync(logs);
    writeFileSync(path, "");
    // Every event of the moves above is handled once a write to the marker, made after them, is seen.
    const markerWakesBefore = markerWakes;
    appendFileSync(marker, "after the moves\n");
    await waitFor(() => markerWakes > markerWakesBefore, "the wake-up for a write made after the moves");
    // The old watch followed the moved folder: this append is not seen… (a write to a file whose folder stayed in
    // place, made after it and seen, shows that the watcher has handled what came before)
    wakes = 0;
    markerWakes = 0;
    appendFileSync(path, "lost hint\n");
    appendFileSync(marker, "after the lost hint\n");
    await waitFor(() => markerWakes > 0, "the wake-up for a write made after the lost hint");
    expect(wakes).toBe(0);
    // …until the tailer, having found the change by its stat, asks for the folder to be watched again.
    watcher.rewatchIfReplaced(path);
    await pokeUntil(() => wakes > 0, () => appendFileSync(path, "seen\n"), "a wake-up from the new folder");
  });
});
