// Torture: the real logrotate rotates the followed file every 0.5 s, in `create` and in `copytruncate`
// mode, while a writer appends 10 000 numbered lines a second. The tailer (the engine's source, with its real folder
// watcher and stat poll) must hand over every number exactly once.
import { describe, it, expect, afterEach } from "@jest/globals";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Collector, FOLLOW_AS_VIGIA, makeTailer, settleTailers } from "../helpers/tailer.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { killAllChildren, pickSize, reportFigure, spawnFixture } from "./helpers/torture-kit.js";

const LOGROTATE = "/usr/sbin/logrotate";
const RATE = 10_000;
const SECONDS = pickSize(6, 30);
const ROTATE_EVERY_MS = 500;
const run = promisify(execFile);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killAllChildren();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Counts of each number `n-<i>` in lines (index = number). */
function countNumbers(texts: Iterable<string>, total: number): Uint16Array {
  const counts = new Uint16Array(total + 1);
  for (const text of texts) {
    const n = Number(text.slice(2));
    if (text.startsWith("n-") && Number.isInteger(n) && n >= 1 && n <= total) counts[n]!++;
  }
  return counts;
}

/** Every line still on disk: the followed file and all its rotations. */
function readLinesOnDisk(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith("bot.log"))
    .flatMap((name) => readFileSync(join(dir, name), "latin1").split("\n"));
}

describe("torture: logrotate every 0.5 s under 10 000 lines/s", () => {
  it.each([
    ["create", true],
    ["copytruncate", false],
  ] as const)("%s: every number is seen exactly once", async (mode, writerReopens) => {
    expect(existsSync(LOGROTATE)).toBe(true); // CI installs logrotate; without it this scenario cannot run
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const path = join(temp.dir, "bot.log");
    writeFileSync(path, "");
    const conf = join(temp.dir, "logrotate.conf");
    writeFileSync(conf, `${path} {\n  ${mode}\n  rotate 10000\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });

    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { ...FOLLOW_AS_VIGIA, startAt: "beginning" });
    await tailer.start();
    cleanups.push(() => tailer.stop());

    const total = RATE * SECONDS;
    const args = ["--path", path, "--rate", String(RATE), "--seconds", String(SECONDS)];
    const writer = spawnFixture("numbered-writer.mjs", writerReopens ? [...args, "--reopen"] : args);
    const started = Date.now();
    await waitFor(() => statSync(path).size > 0, "the writer's first lines");
    let rotations = 0;
    let rotateMs = 0;
    let renamedAside = 0;
    while (!writer.stdout().includes("done")) {
      await sleepMs(ROTATE_EVERY_MS);
      const t = Date.now();
      const { stdout, stderr } = await run(LOGROTATE, ["-f", "-s", join(temp.dir, "logrotate.state"), conf]);
      // create: when the writer has made the new file before logrotate does, logrotate renames it aside to
      // bot.log-YYYYMMDDHH.backup, and a second time in the same hour over the first one: those lines leave the disk.
      if (/already exists, renaming to/.test(stdout + stderr)) renamedAside++;
      rotateMs += Date.now() - t;
      rotations++;
    }
    const writeMs = Date.now() - started;
    expect(writer.stdout()).toContain(`done ${total}`);

    // Lines that reached the disk (copytruncate: logrotate itself loses what is written between its copy and its
    // truncate, by design); the tailer must deliver each of them once, and nothing twice.
    const onDisk = countNumbers(readLinesOnDisk(temp.dir), total);
    let expected = 0;
    for (let n = 1; n <= total; n++) if (onDisk[n]! > 0) expected++;
    await waitFor(
      () => countDistinct(countNumbers(collector.texts(), total)) >= expected,
      { what: `${expected} numbers (mode ${mode})`, timeoutMs: 20_000, everyMs: 50 },
    );
    await settleTailers([tailer]); // past the grace period and checked again: anything read twice is in by now
    const counts = countNumbers(collector.texts(), total);
    const missing: number[] = [];
    const duplicated: number[] = [];
    let lostByLogrotate = 0;
    for (let n = 1; n <= total; n++) {
      if (onDisk[n] === 0) lostByLogrotate++;
      if (counts[n] === 0 && onDisk[n]! > 0) missing.push(n);
      if (counts[n]! > 1) duplicated.push(n);
    }
    reportFigure(`logrotate ${mode}`, {
      lines: total,
      rotations,
      seconds: writeMs / 1000,
      rate_lines_s: Math.round(total / (writeMs / 1000)),
      logrotate_ms_avg: rotateMs / rotations,
      seen_distinct: countDistinct(counts),
      lost_by_logrotate: lostByLogrotate,
      renamed_aside_by_logrotate: renamedAside,
      missing: missing.length,
      duplicated: duplicated.length,
      tailer_rotations: tailer.getStats().rotations,
      tailer_truncations: tailer.getStats().truncations,
    });
    expect(rotations).toBeGreaterThanOrEqual(Math.floor((SECONDS * 1000) / ROTATE_EVERY_MS / 2));
    expect(missing.slice(0, 10)).toEqual([]);
    expect(duplicated.slice(0, 10)).toEqual([]);
    // In create mode nothing leaves the disk unless logrotate renamed a file aside over an earlier one.
    if (mode === "create" && renamedAside < 2) expect(lostByLogrotate).toBe(0);
  });
});

function countDistinct(counts: Uint16Array): number {
  let n = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i]! > 0) n++;
  return n;
}
