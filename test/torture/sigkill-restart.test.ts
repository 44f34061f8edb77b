// Torture: `vigia run` is killed with SIGKILL 20 times at random moments while the bot writes, and started
// again each time. Every matching line must end in the journal (processed at least once: checkpoints never pass
// unjournaled lines) and no incident may be there twice (a line re-read after a crash folds into its incident or is
// skipped as a replay).
import { describe, it, expect, afterAll } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { VigiaProcess, createRandom, killAllChildren, pickSeed, pickSize, readJournal, readJournalIfAny, reportFigure, spawnFixture, writeVigiaSetup } from "./helpers/torture-kit.js";

const KILLS = 20;
const RATE = pickSize(1000, 5000);
const MATCH_EVERY = 10;

const temp = makeTempDir();
afterAll(async () => {
  await killAllChildren();
  temp.cleanup();
});

describe("torture: SIGKILL 20 times while lines flow", () => {
  it("loses no line and duplicates no incident", async () => {
    const seed = pickSeed();
    const random = createRandom(seed);
    const setup = writeVigiaSetup(temp.dir, { remediation: "{ allowed_roots: [modelos], max_retries: 1, backoff: [0.2] }" });
    writeFileSync(setup.logPath, "");
    const writer = spawnFixture("bot-writer.mjs", ["--path", setup.logPath, "--rate", String(RATE), "--match-every", String(MATCH_EVERY)]);

    const started = Date.now();
    const killedAfterMs: number[] = [];
    let killedAfterBanner = 0;
    const bannerMs: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const spawnedAt = Date.now();
      const vigia = VigiaProcess.start(setup, ["--dry-run", "--from-start"]);
      void vigia.waitForBanner().then(
        () => bannerMs.push(Date.now() - spawnedAt),
        () => undefined,
      );
      // Random moments: from inside start-up (module loading, journal load, catch-up) to the steady follow.
      const afterMs = 150 + Math.floor(random() * 2500);
      await sleepMs(afterMs);
      if (/remediation: /.test(vigia.output())) killedAfterBanner++;
      vigia.kill("SIGKILL");
      const exit = await vigia.exited;
      expect(exit.signal).toBe("SIGKILL"); // it was running, not crashed on its own
      killedAfterMs.push(afterMs);
    }
    writer.child.kill("SIGTERM");
    await writer.exited;
    const done = /done lines=(\d+) matches=(\d+)/.exec(writer.stdout());
    expect(done).not.toBeNull();
    const [lines, matches] = [Number(done![1]), Number(done![2])];

    // A last, undisturbed run catches up, then stops gracefully.
    const final = VigiaProcess.start(setup, ["--dry-run", "--from-start"]);
    await final.waitForBanner();
    const catchUpStarted = Date.now();
    const ids = (): Set<string> => new Set(readJournalIfAny(setup.journalPath).map((e) => String(e.modelo)));
    await waitFor(() => ids().size >= matches, { what: `${matches} incidents in the journal`, timeoutMs: 60_000, everyMs: 200 });
    const catchUpMs = Date.now() - catchUpStarted;
    final.kill("SIGTERM");
    const exit = await final.exited;

    const journal = readJournal(setup.journalPath);
    const perId = new Map<string, number>();
    for (const e of journal) perId.set(String(e.modelo), (perId.get(String(e.modelo)) ?? 0) + 1);
    const missing: string[] = [];
    for (let m = 1; m <= matches; m++) {
      const id = `k${String(m).padStart(6, "0")}`;
      if (!perId.has(id)) missing.push(id);
    }
    const duplicated = [...perId].filter(([, n]) => n > 1).map(([id]) => id);
    const folded = journal.filter((e) => Number(e.ocurrencias) > 1).length;
    reportFigure("sigkill x20", {
      seed,
      lines,
      matching_lines: matches,
      kills: KILLS,
      kills_after_banner: killedAfterBanner,
      banner_ms_avg: bannerMs.length ? bannerMs.reduce((a, b) => a + b, 0) / bannerMs.length : "none",
      kill_after_ms_avg: killedAfterMs.reduce((a, b) => a + b, 0) / KILLS,
      journal_incidents: journal.length,
      missing: missing.length,
      duplicated: duplicated.length,
      replayed_and_folded: folded,
      final_catch_up_ms: catchUpMs,
      seconds: (Date.now() - started) / 1000,
    });
    expect(exit.code).toBe(0);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(duplicated.slice(0, 10)).toEqual([]);
    expect(journal.length).toBe(matches);
  });
});
