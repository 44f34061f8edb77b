// A tailer that falls behind the real logrotate: copytruncate runs twice between two of its checks (a loaded
// machine, a busy engine), with `rotate 2`, plain or compressed, while a writer appends numbered lines throughout.
// Every line that is on disk when the tailer looks must reach it, once: the copy it was reading (now `.2`, maybe
// gzipped) from where it stopped, and the whole copy made by the second run (`.1`), before the live file.
import { describe, it, expect, afterEach } from "@jest/globals";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { Collector, makeTailer, useTailerTestScaffold } from "../helpers/tailer.js";
import { waitFor } from "../helpers/wait-for.js";
import { countNumbers, spawnFixture, stopFixtures } from "./tail-helpers.js";

const LOGROTATE = "/usr/sbin/logrotate";
const TOTAL = 10_000;
const run = promisify(execFile);

afterEach(() => stopFixtures());
const { defer, tempDir } = useTailerTestScaffold();

/** Every number in the followed file and its rotations, gzipped ones included: what the disk holds now. */
function readNumbersOnDisk(dir: string): Set<number> {
  const texts = readdirSync(dir)
    .filter((name) => name.startsWith("bot.log"))
    .flatMap((name) => {
      const bytes = readFileSync(join(dir, name));
      return (name.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("latin1").split("\n");
    });
  return new Set(countNumbers(texts, "n").keys());
}

describe("real logrotate copytruncate twice between two checks of the tailer", () => {
  it.each([
    ["nocompress", "nocompress"],
    ["compress + delaycompress", "compress\n  delaycompress"],
    ["compress", "compress"],
  ])("%s, rotate 2: every line on disk is seen exactly once", async (_name, compression) => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate (apt-get install logrotate) to run this test`);
    const root = tempDir();
    const path = join(root, "bot.log");
    writeFileSync(path, "");
    const conf = join(root, "logrotate.conf");
    writeFileSync(conf, `${path} {\n  copytruncate\n  rotate 2\n  missingok\n  ${compression}\n}\n`, { mode: 0o644 });
    const rotate = () => run(LOGROTATE, ["-f", "-s", join(root, "logrotate.state"), conf]);

    // No watcher and no poll: the tailer checks only when poked, as a tailer held back by a loaded machine.
    const collector = new Collector();
    const { tailer } = makeTailer(path, collector, { startAt: "beginning" });
    await tailer.start();
    defer(() => tailer.stop());

    const writer = spawnFixture("numbered-writer.mjs", ["--path", path, "--count", String(TOTAL), "--burst", "25", "--interval-ms", "4"]);
    const onDisk = new Set<number>();
    let rounds = 0;
    while (!writer.stdout().includes("done")) {
      for (let i = 0; i < 2; i++) {
        // The writer has appended since the last truncation: each run copies lines the tailer has not read.
        await waitFor(() => statSync(path).size > 0 || writer.stdout().includes("done"), "the writer's next lines");
        await rotate();
      }
      for (const n of readNumbersOnDisk(root)) onDisk.add(n);
      await tailer.poke();
      rounds++;
    }
    await writer.waitForStdout("done");
    for (const n of readNumbersOnDisk(root)) onDisk.add(n);
    await tailer.poke();

    const seen = countNumbers(collector.texts(), "n");
    const missing = [...onDisk].filter((n) => !seen.has(n)).sort((a, b) => a - b);
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([n]) => n);
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(onDisk.size).toBeGreaterThan(TOTAL / 2);
    expect({ missing: missing.length, firstMissing: missing.slice(0, 5) }).toEqual({ missing: 0, firstMissing: [] });
    expect(duplicated.slice(0, 5)).toEqual([]);
    expect(collector.eventTypes()).not.toContain("error");
  });
});
