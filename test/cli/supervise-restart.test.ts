// `vigia supervise` with a `supervise:` section and a crashing bot: restarted per policy up to max_restarts,
// every crash journaled as `proceso_caido` with the child's last stderr lines, and vigia ends with the child's code.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { FAKE_BOT, PY_STAMP, killLeftovers, makeWorkdir, readJournal, readText, startVigia, type CliResult, type JournalEntry } from "./cli-harness.js";

/**
 * A `supervise:` entry for the fake bot's crash scenario; `--root .` is the config's folder (the default cwd).
 * JSON is valid YAML: no quoting surprises in paths.
 */
function makeCrashConfig(restartBackoffS: number[]): string {
  const command = ["python3", FAKE_BOT, "--scenario", "crash", "--root", "."];
  return `supervise:\n  - { name: bot, command: ${JSON.stringify(command)}, restart: on-failure, max_restarts: 2, restart_backoff: ${JSON.stringify(restartBackoffS)} }\n`;
}

/** `2025-12-25 14:30:20,123` (local time, as Python writes it) → epoch ms. */
function parsePythonStamp(stamp: string): number {
  const [date, time] = stamp.split(" ") as [string, string];
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [hms, ms] = time.split(",") as [string, string];
  const [h, mi, s] = hms.split(":").map(Number) as [number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, Number(ms)).getTime();
}

describe("vigia supervise with a crashing child (restart: on-failure, max_restarts: 2)", () => {
  let dir: string;
  let result: CliResult;
  let log: string;
  let crashes: JournalEntry[];

  beforeAll(async () => {
    dir = makeWorkdir(makeCrashConfig([0.1]));
    result = await startVigia(["supervise"], dir).done;
    log = readText(join(dir, "logs", "bot.log"));
    crashes = readJournal(join(dir, "logs", "descarga_errors.json")).filter((e) => e.error_type === "proceso_caido");
  }, 30_000);
  afterAll(async () => {
    await killLeftovers();
    removeDir(dir);
  });

  it("starts the child 1 + max_restarts times, then exits with the child's code", () => {
    const starts = log.match(new RegExp(`^${PY_STAMP} - bot_central - INFO - Bot iniciado`, "gm")) ?? [];
    expect(starts).toHaveLength(3);
    // Python exits 1 on an uncaught exception.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not restarted: 2 restart\(s\) already \(max_restarts 2\)/);
    expect(result.stdout).toContain("resumen de la sesión");
  });

  it("waits restart_backoff (seconds in the file) before each restart", () => {
    const starts = [...log.matchAll(new RegExp(`^(${PY_STAMP}) - bot_central - INFO - Bot iniciado`, "gm"))].map((m) => parsePythonStamp(m[1]!));
    const runEnds = [...log.matchAll(new RegExp(`^(${PY_STAMP}) - bot_central - INFO - Descarga exitosa`, "gm"))].map((m) => parsePythonStamp(m[1]!));
    expect(starts).toHaveLength(3);
    expect(runEnds).toHaveLength(3);
    // 0.1 s in the config = 100 ms between a run's last line and the next start (not 0.1 ms, not 100 s).
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - runEnds[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(result.stderr).toMatch(/restart 1\/2 in 100 ms/);
  });

  it("journals each crash as proceso_caido with the child's last stderr lines", () => {
    expect(crashes).toHaveLength(3);
    for (const crash of crashes) {
      expect(crash.error_message).toContain("terminó con código 1");
      expect(crash.error_message).toContain("RuntimeError: estado interno inconsistente: cola de descargas corrupta");
      expect(crash.error_message).toContain("Traceback (most recent call last)");
    }
    // A restart closes the crash it answers.
    expect(crashes.slice(0, 2).map((c) => [c.estado, c.accion])).toEqual([
      ["solucionado", "reiniciado"],
      ["solucionado", "reiniciado"],
    ]);
  });

  it("keeps the uncaught traceback (stderr) in the child's log file, unstamped, after its last record", () => {
    expect(log).toMatch(/Descarga exitosa: \S+ \(18\.4 MB\)\nTraceback \(most recent call last\):\n {2}File /);
    expect(log).toMatch(/^RuntimeError: estado interno inconsistente: cola de descargas corrupta$/m);
  });

  // When max_restarts is spent vigia gives up on the child: the last crash's incident ends `fallido` in the journal,
  // not `detectado` ("en curso") with nothing working on it any more.
  it("closes the crash it gives up on as fallido", () => {
    expect(crashes[2]!.estado).toBe("fallido");
  });
});

describe("stopping during a restart backoff", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await killLeftovers();
    dirs.splice(0).forEach(removeDir);
  });

  // A stop during the restart delay cancels the wait: vigia exits at once instead of after the whole
  // `restart_backoff` (up to minutes as configured), and the restart never happens.
  it("SIGINT while waiting to restart exits at once, without the restart", async () => {
    // The restart is due in 10 minutes, far past the test's timeout: only a stop that cancels the wait ends in time.
    const dir = makeWorkdir(makeCrashConfig([600]));
    dirs.push(dir);
    const run = startVigia(["supervise"], dir);
    await waitFor(
      () => /restart 1\/2 in 600000 ms/.test(run.stderr()),
      { what: "the first restart to be scheduled", describe: run.stderr },
    );
    process.kill(run.pid, "SIGINT");
    await run.done;
    expect(readText(join(dir, "logs", "bot.log")).match(/Bot iniciado/g)).toHaveLength(1);
  });
});
