import { describe, it, expect } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointStore, parseCheckpointFile, type CheckpointEvent, type PathCheckpoint } from "../../src/sources/checkpoint-store.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const tempDir = useTempDirs();

function sampleCheckpoint(offset: number): PathCheckpoint {
  return {
    updatedAtMs: 1_700_000_000_000,
    files: [
      {
        dev: "2049",
        ino: "18446744073709551557",
        fingerprint: { bytes: 256, sha1: "a".repeat(40) },
        offset,
        marker: { bytes: 128, sha1: "b".repeat(40) },
        rotated: false,
      },
    ],
  };
}

describe("CheckpointStore", () => {
  it("starts empty without a file, saves what providers give, and loads it back", async () => {
    const dir = join(tempDir(), "state");
    const store = await CheckpointStore.load(dir);
    expect(store.get("/logs/bot.log")).toBeUndefined();
    let offset = 10;
    store.track("/logs/bot.log", () => sampleCheckpoint(offset));
    await store.save();
    offset = 20;
    store.saveSync();
    const raw = JSON.parse(readFileSync(join(dir, "checkpoints.json"), "utf8"));
    expect(raw.version).toBe(1);
    const reloaded = await CheckpointStore.load(dir);
    expect(reloaded.get("/logs/bot.log")).toEqual(sampleCheckpoint(20));
    // The temp files of the atomic writes are gone.
    expect(readdirSync(dir)).toEqual(["checkpoints.json"]);
  });

  it("does not rewrite an unchanged checkpoint (an idle vigia does no I/O every second)", async () => {
    const dir = join(tempDir(), "state");
    const store = await CheckpointStore.load(dir);
    let offset = 10;
    store.track("/logs/bot.log", () => sampleCheckpoint(offset));
    await store.save();
    const file = join(dir, "checkpoints.json");
    const firstInode = statSync(file).ino; // every real write is a new file renamed over the old one
    await store.save();
    store.saveSync();
    expect(statSync(file).ino).toBe(firstInode);
    offset = 30;
    await store.save();
    expect(statSync(file).ino).not.toBe(firstInode);
    expect((await CheckpointStore.load(dir)).get("/logs/bot.log")).toEqual(sampleCheckpoint(30));
  });

  it("keeps the last saved entry when a provider has nothing to say or throws", async () => {
    const dir = tempDir();
    const events: CheckpointEvent[] = [];
    const store = await CheckpointStore.load(dir, { onEvent: (event) => events.push(event) });
    let answer: () => PathCheckpoint | undefined = () => sampleCheckpoint(5);
    store.track("/a.log", () => answer());
    await store.save();
    answer = () => undefined;
    await store.save();
    expect(store.get("/a.log")?.files[0].offset).toBe(5);
    answer = () => {
      throw new Error("boom");
    };
    await store.save();
    expect(store.get("/a.log")?.files[0].offset).toBe(5);
    expect(events).toEqual([expect.objectContaining({ type: "error", path: "/a.log" })]);
    expect((await CheckpointStore.load(dir)).get("/a.log")?.files[0].offset).toBe(5);
  });

  it("keeps entries of paths nobody tracks any more", async () => {
    const dir = tempDir();
    const first = await CheckpointStore.load(dir);
    first.track("/old.log", () => sampleCheckpoint(7));
    await first.save();
    const second = await CheckpointStore.load(dir);
    second.track("/new.log", () => sampleCheckpoint(9));
    await second.save();
    const third = await CheckpointStore.load(dir);
    expect(third.get("/old.log")?.files[0].offset).toBe(7);
    expect(third.get("/new.log")?.files[0].offset).toBe(9);
  });

  it("lets a new tracker of a path replace the old one; the old untrack then does nothing", async () => {
    const store = CheckpointStore.inMemory();
    const untrackOld = store.track("/a.log", () => sampleCheckpoint(1));
    store.track("/a.log", () => sampleCheckpoint(2));
    untrackOld();
    await store.save();
    expect(store.get("/a.log")?.files[0].offset).toBe(2);
  });

  it.each([
    ["not JSON", "{ nope"],
    ["a future version", JSON.stringify({ version: 2, files: {} })],
    ["a malformed entry", JSON.stringify({ version: 1, files: { "/a.log": { updatedAtMs: 1, files: [{ dev: 1 }] } } })],
  ])("moves a corrupt file aside with an event and starts empty: %s", async (_what, content) => {
    const dir = tempDir();
    writeFileSync(join(dir, "checkpoints.json"), content);
    const events: CheckpointEvent[] = [];
    const store = await CheckpointStore.load(dir, { onEvent: (event) => events.push(event) });
    expect(store.get("/a.log")).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe("corrupt");
    expect(existsSync(join(dir, "checkpoints.json"))).toBe(false);
    const aside = readdirSync(dir).filter((name) => name.startsWith("checkpoints.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]), "utf8")).toBe(content);
  });

  it("parses what it writes", () => {
    const text = JSON.stringify({ version: 1, files: { "/a.log": sampleCheckpoint(3) } });
    const parsed = parseCheckpointFile(text);
    expect(parsed instanceof Map && parsed.get("/a.log")).toEqual(sampleCheckpoint(3));
  });
});
