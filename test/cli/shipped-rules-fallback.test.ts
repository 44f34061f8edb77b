// The first thing a user does is add a config file: that must not turn detection off. In a folder without
// rules/, vigia uses the rules shipped with it, with a warning, whether or not a config file is there; the
// warning appears only where the fallback applies (not with --rules, not with rules/ present, not with an
// explicit `rules:`). Each case runs the real CLI in a temp folder.
import { afterEach, describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG, REPO, killLeftovers, runVigia, startVigia } from "./cli-harness.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-fallback-");

const SHIPPED_RULES = join(REPO, "rules");
const FALLBACK_WARNING = /warning: .*no rules\/ folder in .*: using the rules shipped with vigia/;
/** A real line of the bot (the seed's missing-folder error), which the shipped `ruta_inexistente` rule claims. */
const BOT_LINE =
  "2025-12-25 14:30:20,123 - bot_central - ERROR - Error al descargar: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'\n";

afterEach(async () => {
  await killLeftovers();
});

/** An empty temp folder with the bot's log, and the config given (none when null). */
function makeFolder(config: string | null): string {
  const dir = newTempDir();
  writeFileSync(join(dir, "bot.log"), BOT_LINE);
  if (config !== null) writeFileSync(join(dir, "vigia.config.yaml"), config);
  return dir;
}

/** What `test-rules --json` says matched, by rule id. */
function matchedRules(stdout: string): string[] {
  return (JSON.parse(stdout) as { matches: Array<{ rule: string }> }).matches.map((m) => m.rule);
}

describe("a folder without rules/", () => {
  it.each([
    ["without a config file", null],
    ["with a config file that sets no rules", `${BASE_CONFIG}\n`],
    ["with a minimal config file", "journal: logs/journal.json\n"],
  ])("%s: test-rules uses the shipped rules and warns once", async (_how, config) => {
    const dir = makeFolder(config);
    const result = await runVigia(["test-rules", "bot.log", "--json"], dir);
    expect(result.code).toBe(0);
    expect(matchedRules(result.stdout)).toEqual(["ruta_inexistente"]);
    expect(result.stderr.match(new RegExp(FALLBACK_WARNING, "g"))).toHaveLength(1);
  });

  it("with a config file: check validates the shipped rules, and says where they come from", async () => {
    const dir = makeFolder(`${BASE_CONFIG}\n`);
    const result = await runVigia(["check"], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(FALLBACK_WARNING);
    expect(result.stderr).toContain(SHIPPED_RULES);
    expect(result.stdout).toMatch(/^ok: config \(.*vigia\.config\.yaml\) and [1-9]\d* rule\(s\) valid$/m);
  });

  it("with a config file: run loads the shipped rules and journals the bot's error", async () => {
    const dir = makeFolder(`${BASE_CONFIG}\nsources: [{ name: bot, path: bot.log, start_at: beginning }]\n`);
    const run = startVigia(["run"], dir);
    await waitFor(
      () => /rules: \d+ from /.test(run.stderr() + run.stdout()) || /rules: none loaded/.test(run.stderr() + run.stdout()),
      { what: "the banner", describe: run.stderr },
    );
    expect(run.stderr() + run.stdout()).not.toMatch(/rules: none loaded/);
    expect(run.stderr() + run.stdout()).toMatch(FALLBACK_WARNING);
    await waitFor(() => /ruta_inexistente/.test(run.stderr() + run.stdout()), { what: "the incident", describe: run.stderr });
    process.kill(run.pid, "SIGTERM");
    expect((await run.done).code).toBe(0);
  });

  it.each([
    ["without a config file", null],
    ["with a config file", `${BASE_CONFIG}\n`],
  ])("--rules, %s: no warning, and only the given rules", async (_how, config) => {
    const dir = makeFolder(config);
    writeFileSync(join(dir, "mine.yaml"), "rules:\n  - id: mi_regla\n    match: 'No such file'\n    severity: info\n");
    const checked = await runVigia(["check", "--rules", "mine.yaml"], dir);
    expect(checked.code).toBe(0);
    expect(checked.stderr).not.toMatch(/no rules\/ folder/);
    expect(checked.stdout).toMatch(/and 1 rule\(s\) valid/);
    const tested = await runVigia(["test-rules", "bot.log", "--rules", "mine.yaml", "--json"], dir);
    expect(tested.stderr).not.toMatch(/no rules\/ folder/);
    expect(matchedRules(tested.stdout)).toEqual(["mi_regla"]);
  });
});

describe("where the fallback does not apply", () => {
  it("rules/ present beside the config: used, no warning", async () => {
    const dir = makeFolder(`${BASE_CONFIG}\n`);
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "own.yaml"), "rules:\n  - id: propia\n    match: 'No such file'\n    severity: info\n");
    const result = await runVigia(["test-rules", "bot.log", "--json"], dir);
    expect(result.stderr).not.toMatch(/no rules\/ folder/);
    expect(matchedRules(result.stdout)).toEqual(["propia"]);
  });

  it("an explicit rules: is taken as written: a missing folder is an error, not a silent fallback", async () => {
    const dir = makeFolder(`${BASE_CONFIG}\nrules: reglas\n`);
    const result = await runVigia(["check"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).not.toMatch(/shipped with vigia/);
    expect(result.stdout).toMatch(/reglas/);
  });

  it("a copy of the shipped rules in rules/ is the user's own: no warning", async () => {
    const dir = makeFolder(null);
    cpSync(SHIPPED_RULES, join(dir, "rules"), { recursive: true });
    const result = await runVigia(["check"], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/no rules\/ folder/);
  });
});
