// Torture: a process writing the journal with vigia's JournalWriter (atomic: temp file, fsync, rename) is
// killed with SIGKILL 50 times at random moments, most of them in the middle of a write. After every kill the
// journal must be a valid JSON array holding at least every incident whose write had completed, and the next start
// must load it.
import { describe, it, expect, afterAll } from "@jest/globals";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { DIST, createRandom, killAllChildren, pickSeed, pickSize, readJournal, reportFigure, spawnFixture } from "./helpers/torture-kit.js";

const KILLS = 50;
/** Elements already in the journal: a write of ~2 MB takes long enough for kills to land inside it. */
const SEED_ELEMENTS = pickSize(800, 3000);

const temp = makeTempDir();
afterAll(async () => {
  await killAllChildren();
  temp.cleanup();
});

describe("torture: SIGKILL during journal writes", () => {
  it("leaves a valid journal every time, with every completed write in it", async () => {
    const seed = pickSeed();
    const random = createRandom(seed);
    const journalPath = join(temp.dir, "descarga_errors.json");
    const filler = "y".repeat(2000);
    writeFileSync(
      journalPath,
      `${JSON.stringify(
        Array.from({ length: SEED_ELEMENTS }, (_, i) => ({ id: `seed-${i}`, timestamp: new Date(Date.now() - 86_400_000 + i).toISOString(), estado: "fallido", error_type: "seed", error_message: filler })),
        null,
        2,
      )}\n`,
    );
    let completed = SEED_ELEMENTS;
    let duringWrite = 0;
    let invalid = 0;
    let lost = 0;
    const started = Date.now();
    for (let i = 0; i < KILLS; i++) {
      const child = spawnFixture("journal-churn.mjs", ["--journal", journalPath, "--dist", DIST]);
      await waitFor(
        () => child.stdout().includes("ready") || child.child.exitCode !== null,
        { what: "the churn child's load", everyMs: 5 },
      );
      const ready = /ready (\d+) (\w+)/.exec(child.stdout());
      expect(ready?.[2]).toBe("ok"); // the journal left by the previous kill loaded without problems
      expect(Number(ready![1])).toBeGreaterThanOrEqual(completed);
      await sleepMs(20 + Math.floor(random() * 250));
      child.child.kill("SIGKILL");
      await child.exited;
      const out = child.stdout();
      const begins = [...out.matchAll(/begin (\d+)/g)].map((m) => Number(m[1]));
      const ends = [...out.matchAll(/end (\d+)/g)].map((m) => Number(m[1]));
      if (begins.length > ends.length) duringWrite++;
      if (ends.length > 0) completed = Math.max(completed, ends.at(-1)!);
      let elements: Array<Record<string, unknown>>;
      try {
        elements = readJournal(journalPath);
      } catch {
        invalid++;
        continue;
      }
      if (elements.length < completed) lost++;
    }
    const leftovers = readdirSync(temp.dir).filter((name) => name.endsWith(".tmp")).length;
    reportFigure("journal sigkill x50", {
      seed,
      kills: KILLS,
      kills_during_write: duringWrite,
      invalid_json: invalid,
      completed_writes_lost: lost,
      final_elements: readJournal(journalPath).length,
      temp_files_left: leftovers,
      seconds: (Date.now() - started) / 1000,
    });
    expect(invalid).toBe(0);
    expect(lost).toBe(0);
    expect(duringWrite).toBeGreaterThanOrEqual(KILLS / 2); // the kills really hit writes
  });
});
