// Rotation with the real logrotate (create and copytruncate) while a writer appends 10 000
// numbered lines: every number is seen exactly once.
import { describe, it, expect, afterEach } from "@jest/globals";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Collector, FOLLOW_AS_VIGIA, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { countNumbers, findGapsAndDuplicates, spawnFixture, stopFixtures } from "./tail-helpers.js";

const LOGROTATE = "/usr/sbin/logrotate";
const TOTAL = 10_000;
const run = promisify(execFile);

afterEach(() => stopFixtures());
const { defer, tempDir } = useTailerTestScaffold();

/** Runs the real logrotate on `path` with `mode` (create | copytruncate), forced, with its own state file. */
async function rotateWithLogrotate(dir: string, path: string, mode: "create" | "copytruncate"): Promise<void> {
  const conf = join(dir, "logrotate.conf");
  writeFileSync(conf, `${path} {\n  ${mode}\n  rotate 20\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
  await run(LOGROTATE, ["-f", "-s", join(dir, "logrotate.state"), conf]);
}

/** Numbers found in the followed file and all its rotations: what the disk really holds. */
function readNumbersOnDisk(dir: string): Map<number, number> {
  const texts = readdirSync(dir)
    .filter((name) => name.startsWith("bot.log"))
    .flatMap((name) => readFileSync(join(dir, name), "utf8").split("\n"));
  return countNumbers(texts, "n");
}

describe("real logrotate while a writer appends 10 000 numbered lines", () => {
  it("finds logrotate", () => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate (apt-get install logrotate) to run these tests`);
  });

  it.each([
    ["create", true],
    ["copytruncate", false],
  ] as const)("%s: every number seen exactly once", async (mode, writerReopens) => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate to run this test`);
    const root = tempDir();
    const path = join(root, "bot.log");
    writeFileSync(path, "");
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { ...FOLLOW_AS_VIGIA, startAt: "beginning", pollIntervalMs: 50 });
    await tailer.start();
    defer(() => tailer.stop());

    const writerArgs = ["--path", path, "--count", String(TOTAL), "--burst", "25", "--interval-ms", "4"];
    const writer = spawnFixture("numbered-writer.mjs", writerReopens ? [...writerArgs, "--reopen"] : writerArgs);
    await waitFor(() => statSync(path).size > 0, "the writer's first lines");
    let rotations = 0;
    while (!writer.stdout().includes("done") && rotations < 4) {
      await sleepMs(250);
      await rotateWithLogrotate(root, path, mode);
      rotations++;
    }
    await writer.waitForStdout("done");
    expect(rotations).toBeGreaterThanOrEqual(3); // the writer ran through several rotations

    // create: logrotate loses nothing, so all 10 000 must come. copytruncate: logrotate itself loses the lines
    // written between its copy and its truncate (it fsyncs the copy in between; documented); every line that
    // reached the disk must come exactly once.
    const onDisk = readNumbersOnDisk(root);
    const expected = mode === "create" ? findGapsAndDuplicates(new Map(), TOTAL).missing : [...onDisk.keys()];
    const isAllSeen = () => {
      const seen = countNumbers(collector.texts(), "n");
      return expected.every((n) => seen.has(n));
    };
    await waitFor(isAllSeen, `${expected.length} numbers`).catch(() => undefined);
    const seen = countNumbers(collector.texts(), "n");
    const { missing, duplicated } = findGapsAndDuplicates(seen, TOTAL);
    expect(duplicated).toEqual([]);
    expect(seen.size).toBeLessThanOrEqual(TOTAL);
    if (mode === "create") {
      expect(missing).toEqual([]);
      // A writer reopening between logrotate's rename and its create makes one more file: never fewer.
      expect(tailer.getStats().rotations).toBeGreaterThanOrEqual(rotations);
    } else {
      expect(missing.filter((n) => onDisk.has(n))).toEqual([]);
      expect(onDisk.size).toBeGreaterThan(TOTAL / 2);
      // Each copytruncate of a file we had read from is seen (one of an empty file would not be: nothing to see).
      await waitFor(() => tailer.getStats().truncations >= rotations - 1, `${rotations} truncations`);
      expect(tailer.getStats().truncations).toBeLessThanOrEqual(rotations);
    }
    expect(collector.eventTypes()).not.toContain("error");
  });
});
