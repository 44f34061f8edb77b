// Torture: 1 050 sources under a 512-descriptor limit (`prlimit --nofile=512`). Every file is followed, idle ones
// are closed and reopened on change: lines appended to the first, a middle and the 1 050th file reach the journal,
// /health answers, nothing says EMFILE, and a stop writes the journal. A limit too low for the configured
// `tailing.max_open_files` is a clear error at start.
import { it, expect, afterAll, afterEach } from "@jest/globals";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { makeTempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import { fetchJson, formatLogTimestamp, killAllChildren, readJournalIfAny, reportFigure, VigiaProcess, type VigiaSetup } from "./helpers/torture-kit.js";
import { describeIf } from "../helpers/environment.js";

const FILE_COUNT = 1050;
const LIMIT = 512;
const PRLIMIT = ["prlimit", `--nofile=${LIMIT}`];

const temps: Array<() => void> = [];
afterEach(() => killAllChildren());
afterAll(() => temps.forEach((cleanup) => cleanup()));

const hasPrlimit = (() => {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * A workspace with FILE_COUNT files, one config entry each (the configuration that ran out of descriptors), or
 * one glob entry for all of them.
 */
function writeManySources(extraYaml: string[] = [], glob = false): VigiaSetup & { files: string[] } {
  const temp = makeTempDir();
  temps.push(temp.cleanup);
  const dir = temp.dir;
  mkdirSync(join(dir, "logs", "many"), { recursive: true });
  mkdirSync(join(dir, "rules"));
  writeFileSync(
    join(dir, "rules", "boom.yaml"),
    ["rules:", "  - id: boom", "    match: 'BOOM in (?<what>\\w+)'", "    severity: warning", "    notify: never", ""].join("\n"),
  );
  const files: string[] = [];
  const entries: string[] = [];
  for (let i = 1; i <= FILE_COUNT; i++) {
    const name = `app${String(i).padStart(4, "0")}`;
    const path = join(dir, "logs", "many", `${name}.log`);
    writeFileSync(path, `${formatLogTimestamp()} INFO ${name} started\n`);
    files.push(path);
    entries.push(`  - { name: ${name}, path: logs/many/${name}.log }`);
  }
  const config = [
    "sources:",
    ...(glob ? ["  - { name: apps, path: 'logs/many/*.log' }"] : entries),
    "rules: rules",
    "journal: logs/descarga_errors.json",
    "state_dir: logs/.vigia",
    "log_dir: logs",
    "remediation: { allowed_roots: [logs] }",
    "checks: { disk: null }",
    "status: { listen: 0 }",
    "notify: { telegram: null }",
    ...extraYaml,
    "",
  ].join("\n");
  const configPath = join(dir, "vigia.config.yaml");
  writeFileSync(configPath, config);
  return {
    dir,
    configPath,
    files,
    logPath: files[0]!,
    journalPath: join(dir, "logs", "descarga_errors.json"),
    stateDir: join(dir, "logs", ".vigia"),
  };
}

/** Everything vigia wrote to monitor.log (its daily files). */
function readMonitorLog(dir: string): string {
  const logs = join(dir, "logs");
  return readdirSync(logs)
    .filter((name) => name.startsWith("monitor"))
    .map((name) => readFileSync(join(logs, name), "utf8"))
    .join("");
}

describeIf(hasPrlimit, "needs prlimit (util-linux)")(`torture: ${FILE_COUNT} sources under ulimit -n ${LIMIT}`, () => {
  it("follows every file: lines of the 1st, a middle and the 1 050th file reach the journal, /health answers, no EMFILE", async () => {
    const setup = writeManySources();
    const vigia = VigiaProcess.start(setup, [], {}, PRLIMIT);
    const { statusPort } = await vigia.waitForBanner(240_000);
    expect(statusPort).not.toBeNull();
    // Every file open once at start, then idle: the checkpoint holds all of them.
    const checkpoints = join(setup.stateDir, "checkpoints.json");
    await waitFor(
      () => existsSync(checkpoints) && Object.keys(JSON.parse(readFileSync(checkpoints, "utf8")).files).length === FILE_COUNT,
      { what: `checkpoints of ${FILE_COUNT} files`, timeoutMs: 240_000, everyMs: 200 },
    );
    const picked = [FILE_COUNT, 1, 525, FILE_COUNT - 1].map((n) => setup.files[n - 1]!);
    for (const path of picked) {
      const name = path.slice(path.lastIndexOf("/") + 1, -4);
      appendFileSync(path, `${formatLogTimestamp()} ERROR BOOM in ${name}\n`);
    }
    await waitFor(
      () => readJournalIfAny(setup.journalPath).length === picked.length,
      { what: `${picked.length} incidents`, timeoutMs: 120_000, everyMs: 100 },
    );
    const journal = readJournalIfAny(setup.journalPath);
    expect(journal.map((i) => i["fuente"]).sort()).toEqual(["app0001", "app0525", "app1049", "app1050"]);
    for (const incident of journal) {
      expect(incident["archivo"]).toBe(join(setup.dir, "logs", "many", `${String(incident["fuente"])}.log`));
      expect(incident["error_type"]).toBe("boom");
    }

    const health = await fetchJson(statusPort!, "/health");
    expect((health["sources"] as unknown[]).length).toBe(FILE_COUNT);
    const descriptors = readdirSync(`/proc/${vigia.pid}/fd`).length;
    expect(descriptors).toBeLessThan(LIMIT);

    vigia.kill("SIGTERM");
    const exit = await vigia.exited;
    expect(exit.code).toBe(0);
    const logged = readMonitorLog(setup.dir) + vigia.output();
    expect(logged).not.toMatch(/EMFILE|too many open files/i);
    expect(readJournalIfAny(setup.journalPath)).toHaveLength(picked.length);
    reportFigure("many-sources", { files: FILE_COUNT, limit: LIMIT, descriptorsWhileRunning: descriptors });
  });

  it("one glob source for the same files: each file journaled under the source's name and its own path, a file created while running too", async () => {
    const setup = writeManySources([], true);
    const vigia = VigiaProcess.start(setup, [], {}, PRLIMIT);
    const { statusPort } = await vigia.waitForBanner(240_000);
    const checkpoints = join(setup.stateDir, "checkpoints.json");
    await waitFor(
      () => existsSync(checkpoints) && Object.keys(JSON.parse(readFileSync(checkpoints, "utf8")).files).length === FILE_COUNT,
      { what: `checkpoints of ${FILE_COUNT} files`, timeoutMs: 240_000, everyMs: 200 },
    );
    const created = join(setup.dir, "logs", "many", "app1051.log");
    writeFileSync(created, `${formatLogTimestamp()} ERROR BOOM in app1051\n`);
    appendFileSync(setup.files[FILE_COUNT - 1]!, `${formatLogTimestamp()} ERROR BOOM in app1050\n`);
    await waitFor(() => readJournalIfAny(setup.journalPath).length === 2, { what: "2 incidents", timeoutMs: 120_000, everyMs: 100 });
    const journal = readJournalIfAny(setup.journalPath);
    expect(journal.map((i) => [i["fuente"], i["archivo"]]).sort()).toEqual([
      ["apps", setup.files[FILE_COUNT - 1]],
      ["apps", created],
    ]);
    const health = await fetchJson(statusPort!, "/health");
    expect((health["sources"] as unknown[]).length).toBe(FILE_COUNT + 1);
    vigia.kill("SIGTERM");
    expect((await vigia.exited).code).toBe(0);
    expect(readMonitorLog(setup.dir) + vigia.output()).not.toMatch(/EMFILE|too many open files/i);
  });

  it("refuses to start, saying why, when tailing.max_open_files does not fit in the limit", async () => {
    const setup = writeManySources(["tailing: { max_open_files: 1000 }"]);
    const vigia = VigiaProcess.start(setup, [], {}, PRLIMIT);
    const exit = await vigia.exited;
    expect(exit.code).toBe(1);
    expect(vigia.output()).toMatch(
      /vigia run: .*vigia\.config\.yaml:\d+: tailing\.max_open_files: tailing\.max_open_files is 1000, but the open-file limit \(ulimit -n\) is 512 .* set tailing\.max_open_files to 368 or less, or raise the limit/,
    );
    expect(vigia.output()).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(setup.journalPath)).toBe(false);
  });
});
