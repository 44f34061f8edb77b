// Torture: the only rule file of a running `vigia run` is rewritten 100 times a second with valid and
// invalid content (broken YAML, unknown keys, bad and ReDoS regexes, empty and half-written files), in place and by
// rename, first as a steady stream and then in bursts with pauses that let reloads happen mid-storm. Lines keep
// flowing: every matching line must open its incident, i.e. the engine always matches with the last good rules.
import { describe, it, expect, afterAll } from "@jest/globals";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { VigiaProcess, formatLogTimestamp, killAllChildren, pickSize, readJournal, readJournalIfAny, reportFigure, spawnFixture, writeVigiaSetup } from "./helpers/torture-kit.js";

const STEADY_SECONDS = pickSize(3, 20);
const BURSTY_SECONDS = pickSize(4, 20);
const LINES_PER_SECOND = 200;

const temp = makeTempDir();
afterAll(async () => {
  await killAllChildren();
  temp.cleanup();
});

const VALID_RULES = `rules:\n  - id: tortura\n    description: torture rule\n    match: 'TORTURA (?<n>\\d+) fin'\n    key: '{n}'\n    severity: info\n`;

describe("torture: a rule file rewritten 100 times a second", () => {
  it("keeps matching with the last good rules", async () => {
    const rulesSource = join(temp.dir, "seed-rules.yaml");
    writeFileSync(rulesSource, VALID_RULES);
    const setup = writeVigiaSetup(temp.dir, { ruleFiles: [rulesSource] });
    const rulePath = join(setup.dir, "rules", "seed-rules.yaml");
    writeFileSync(setup.logPath, "");
    const vigia = VigiaProcess.start(setup, ["--dry-run"]);
    await vigia.waitForBanner();

    let n = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        let chunk = "";
        for (let i = 0; i < LINES_PER_SECOND / 20; i++) chunk += `${formatLogTimestamp()} - bot_central - INFO - TORTURA ${++n} fin\n`;
        appendFileSync(setup.logPath, chunk);
        await sleepMs(50);
      }
    })();

    const steady = spawnFixture("rules-rewriter.mjs", ["--path", rulePath, "--per-second", "100", "--seconds", String(STEADY_SECONDS)]);
    await steady.exited;
    const bursty = spawnFixture("rules-rewriter.mjs", ["--path", rulePath, "--per-second", "100", "--seconds", String(BURSTY_SECONDS), "--pause-every", "20", "--pause-ms", "180"]);
    await bursty.exited;
    // One more invalid write, ours: once it is reloaded and refused, no write of the storm is still to come.
    writeFileSync(rulePath, `${VALID_RULES}    fin_de_la_tormenta: 1\n`);
    const monitorLogPath = join(setup.dir, "logs", "monitor.log");
    await waitFor(
      () => readFileSync(monitorLogPath, "utf8").includes("unknown key 'fin_de_la_tormenta' (keeping the last good rules)"),
      "the write after the storm reloaded and refused",
    );
    writing = false;
    await writer;
    // After the storm the file is invalid: lines written now must still match, with the last good rules.
    const after = n;
    appendFileSync(setup.logPath, Array.from({ length: 50 }, () => `${formatLogTimestamp()} - bot_central - INFO - TORTURA ${++n} fin\n`).join(""));

    const keys = (): Set<string> => new Set(readJournalIfAny(setup.journalPath).map((e) => String((e.campos as Record<string, string>)?.n)));
    await waitFor(() => keys().size >= n || !vigia.isRunning, { what: `${n} incidents`, timeoutMs: 30_000, everyMs: 100 });
    vigia.kill("SIGTERM");
    const exit = await vigia.exited;

    const journal = readJournal(setup.journalPath);
    const seen = new Map<string, number>();
    for (const e of journal) {
      const key = String((e.campos as Record<string, string>)?.n);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const missing: number[] = [];
    for (let i = 1; i <= n; i++) if (!seen.has(String(i))) missing.push(i);
    // Counted in monitor.log: the captured console output keeps only its last 200 KB, which the dry-run's
    // per-incident lines fill long before the storm ends.
    const monitorLog = readFileSync(monitorLogPath, "utf8");
    const reloaded = (monitorLog.match(/rules reloaded/g) ?? []).length;
    const refused = (monitorLog.match(/keeping the last good rules/g) ?? []).length;
    reportFigure("rules rewrite", {
      rewrites: [steady.stdout(), bursty.stdout()].map((o) => /writes=(\d+)/.exec(o)?.[1] ?? "?").join("+"),
      lines: n,
      matched: seen.size,
      missing: missing.length,
      missing_after_storm: missing.filter((i) => i > after).length,
      reloads_ok: reloaded,
      reload_problems_logged: refused,
      exit_code: exit.code,
    });
    expect(vigia.isRunning).toBe(false);
    expect(exit.code).toBe(0);
    expect(missing.slice(0, 10)).toEqual([]);
    // Reloads did happen during the storm, not only after it: at least one outcome besides the final
    // (invalid) write's. How many depends on how fast a reload completes on the machine, which on a cold
    // clone under CI it was once as low as two per storm (about twenty usually): a figure to watch.
    expect(reloaded + refused).toBeGreaterThan(1);
    expect(refused).toBeGreaterThan(0);
  });
});
