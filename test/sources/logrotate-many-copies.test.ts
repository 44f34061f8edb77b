// A log rotated for a year with the real logrotate (`copytruncate`, `rotate 52`, `compress`): the folder already holds
// 50 gzipped weeks when the tailer starts. Each copytruncate renames every one of them (`.7.gz` → `.8.gz`, a new
// ctime each) and adds a new `.1.gz`. The tailer reads the rest of the week it was reading from that new copy, each
// line once, and nothing of the old weeks: their lines are never emitted, and their content is not even read at a
// truncation — their access times (set long before their mtime, so any read of their bytes moves them) stay.
import { describe, it, expect } from "@jest/globals";
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { countNumbers } from "./tail-helpers.js";

const LOGROTATE = "/usr/sbin/logrotate";
const OLD_WEEKS = 50;
const run = promisify(execFile);
const DAY_S = 86_400;

const { tempDir, started } = useTailerTestScaffold();

/** Lines `<prefix>-<n>` for n in [from, to). */
function numbered(prefix: string, from: number, to: number): string {
  let text = "";
  for (let n = from; n < to; n++) text += `${prefix}-${n}\n`;
  return text;
}

/** Access time of each gzipped copy, by inode and mtime (both kept by logrotate's renames). */
function readCopyAccessTimes(dir: string): Map<string, bigint> {
  const times = new Map<string, bigint>();
  for (const name of readdirSync(dir)) {
    if (!/^bot\.log\.\d+\.gz$/.test(name)) continue;
    const st = statSync(join(dir, name), { bigint: true });
    times.set(`${st.ino}:${st.mtimeNs}`, st.atimeNs);
  }
  return times;
}

describe("real logrotate copytruncate with a year of gzipped copies beside the log", () => {
  it("reads the rest of its week from the new copy, once, and nothing of the old weeks", async () => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate (apt-get install logrotate) to run this test`);
    const root = tempDir();
    const path = join(root, "bot.log");
    const nowS = Date.now() / 1000;
    for (let week = 1; week <= OLD_WEEKS; week++) {
      const copy = join(root, `bot.log.${week}.gz`);
      writeFileSync(copy, gzipSync(numbered(`old${week}`, 0, 200)));
      // Accessed long before it was last changed: on a relatime (or strictatime) mount, a read moves its atime.
      utimesSync(copy, nowS - 3 * DAY_S - week * 60, nowS - 2 * DAY_S - week * 60);
    }
    writeFileSync(path, "");
    const conf = join(root, "logrotate.conf");
    writeFileSync(conf, `${path} {\n  copytruncate\n  rotate 52\n  missingok\n  compress\n}\n`, { mode: 0o644 });
    const rotate = () => run(LOGROTATE, ["-f", "-s", join(root, "logrotate.state"), conf]);

    // What the check below relies on: this folder's mount records reads in access times.
    const probe = join(root, `bot.log.${OLD_WEEKS}.gz`);
    const probeAccessed = statSync(probe, { bigint: true }).atimeNs;
    readFileSync(probe);
    expect(statSync(probe, { bigint: true }).atimeNs).not.toBe(probeAccessed);
    utimesSync(probe, nowS - 3 * DAY_S, nowS - 2 * DAY_S - OLD_WEEKS * 60);

    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await started(tailer);

    let written = 0;
    for (let round = 0; round < 3; round++) {
      appendFileSync(path, numbered("n", written, written + 100));
      await tailer.poke();
      // Written after the tailer's last read and before logrotate's copy: only the new `.1.gz` holds these.
      appendFileSync(path, numbered("n", written + 100, written + 150));
      written += 150;
      const before = readCopyAccessTimes(root);
      await rotate();
      await tailer.poke();
      const after = readCopyAccessTimes(root);
      const oldCopiesRead = [...before].filter(([copy, accessed]) => after.has(copy) && after.get(copy) !== accessed).length;
      expect({ round, oldCopiesRead }).toEqual({ round, oldCopiesRead: 0 });
    }

    const seen = countNumbers(collector.texts(), "n");
    expect([...seen.keys()].length).toBe(written);
    expect([...seen.values()].filter((count) => count !== 1)).toEqual([]);
    expect(collector.texts().filter((text) => text.startsWith("old"))).toEqual([]);
    expect(collector.eventTypes()).not.toContain("error");
  });
});
