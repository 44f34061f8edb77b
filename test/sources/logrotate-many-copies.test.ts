// A log rotated for a year with the real logrotate (`copytruncate`, `rotate 52`, `compress`): the folder already holds
// 50 gzipped weeks when the tailer starts. Each copytruncate renames every one of them (`.7.gz` → `.8.gz`, a new
// ctime each) and adds a new `.1.gz`. The tailer reads the rest of the week it was reading from that new copy, each
// line once, and nothing of the old weeks.
import { describe, it, expect } from "@jest/globals";
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, utimesSync, writeFileSync } from "node:fs";
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

describe("real logrotate copytruncate with a year of gzipped copies beside the log", () => {
  it("reads the rest of its week from the new copy, once, and nothing of the old weeks", async () => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate (apt-get install logrotate) to run this test`);
    const root = tempDir();
    const path = join(root, "bot.log");
    const nowS = Date.now() / 1000;
    for (let week = 1; week <= OLD_WEEKS; week++) {
      const copy = join(root, `bot.log.${week}.gz`);
      writeFileSync(copy, gzipSync(numbered(`old${week}`, 0, 200)));
      utimesSync(copy, nowS - 2 * DAY_S - week * 60, nowS - 2 * DAY_S - week * 60);
    }
    writeFileSync(path, "");
    const conf = join(root, "logrotate.conf");
    writeFileSync(conf, `${path} {\n  copytruncate\n  rotate 52\n  missingok\n  compress\n}\n`, { mode: 0o644 });
    const rotate = () => run(LOGROTATE, ["-f", "-s", join(root, "logrotate.state"), conf]);

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
      await rotate();
      await tailer.poke();
    }

    const seen = countNumbers(collector.texts(), "n");
    expect([...seen.keys()].length).toBe(written);
    expect([...seen.values()].filter((count) => count !== 1)).toEqual([]);
    expect(collector.texts().filter((text) => text.startsWith("old"))).toEqual([]);
    expect(collector.eventTypes()).not.toContain("error");
  });
});
