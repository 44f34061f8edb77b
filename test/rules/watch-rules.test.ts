import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { LoadRulesResult } from "../../src/rules/load-rules.js";
import { loadRules } from "../../src/rules/load-rules.js";
import { createRuleMatcher, type RuleMatcher } from "../../src/rules/match-rules.js";
import { watchRules, type RulesWatcher } from "../../src/rules/watch-rules.js";
import type { Problem } from "../../src/util/problems.js";
import { makeEvent } from "../helpers/make-rule.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { writeIn } from "./rules-fixtures.js";
import { waitFor } from "../helpers/wait-for.js";

const execFileAsync = promisify(execFile);
const REWRITER = fileURLToPath(new URL("../torture/fixtures/rules-rewriter.mjs", import.meta.url));
const ruleFile = (id: string, match: string): string => `rules:\n  - id: ${id}\n    match: '${match}'\n`;
/** Reloads take well under a second; the wait only guards against a watcher that never fires (shared, loaded CI). */

describe("watchRules", () => {
  let dir: string;
  let cleanup: () => void;
  let watcher: RulesWatcher | null;
  let matcher: RuleMatcher;
  let loads: LoadRulesResult[];
  let reported: Problem[][];

  /** The daemon's side: load once, then let the watcher swap the matcher on good reloads only. */
  const start = async (from: string | string[]): Promise<void> => {
    const first = loadRules(from, { redosCacheFile: null });
    expect(first.problems).toEqual([]);
    matcher = createRuleMatcher(first.rules);
    watcher = watchRules({
      from,
      loadOptions: { redosCacheFile: null },
      onRules: (result) => {
        loads.push(result);
        matcher = createRuleMatcher(result.rules);
      },
      onProblems: (problems) => reported.push(problems),
    });
    await watcher.ready;
  };
  const matchedRule = (text: string): string | null => matcher(makeEvent(text))?.rule.id ?? null;

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    watcher = null;
    loads = [];
    reported = [];
  });
  afterEach(async () => {
    await watcher?.close();
    cleanup();
  });

  it("applies an edit", async () => {
    const file = writeIn(dir, "r.yaml", ruleFile("uno", "alpha"));
    await start(dir);
    expect(matchedRule("alpha")).toBe("uno");
    writeFileSync(file, ruleFile("uno", "beta"));
    await waitFor(() => matchedRule("beta") === "uno", "the reload");
    expect(matchedRule("alpha")).toBeNull();
    expect(reported).toEqual([]);
  });

  it("picks up a new rule file and an editor's save by rename", async () => {
    writeIn(dir, "a.yaml", ruleFile("uno", "alpha"));
    await start(dir);
    writeIn(dir, "b.yaml", ruleFile("dos", "gamma"));
    await waitFor(() => matchedRule("gamma") === "dos", "the reload");
    const tmp = writeIn(dir, ".a.yaml.swp-tmp", ruleFile("uno", "delta"));
    renameSync(tmp, join(dir, "a.yaml"));
    await waitFor(() => matchedRule("delta") === "uno", "the reload");
    expect(loads.at(-1)!.files.map((f) => f.rules)).toEqual([1, 1]);
  });

  it("keeps reloading through storms of saves by another process, in place and by rename", async () => {
    const file = writeIn(dir, "r.yaml", ruleFile("uno", "v0"));
    await start(dir);
    // Five bursts of twenty saves 10 ms apart (every fifth by rename), each followed by a pause longer than the
    // debounce; the last save is invalid (an unknown key 'colour'). How many pauses give a reload depends on the
    // machine's load; that the last save is reloaded and refused does not.
    await execFileAsync(process.execPath, [REWRITER, "--path", file, "--per-second", "100", "--seconds", "1", "--pause-every", "20", "--pause-ms", "300"]);
    await waitFor(() => JSON.stringify(reported.at(-1) ?? []).includes("colour"), "the last save reloaded and refused");
    expect(loads.length + reported.length).toBeGreaterThanOrEqual(2);
    expect(matchedRule("TORTURA 7 fin")).toBe("tortura");
  });

  it("reports a broken edit and keeps the last good rules", async () => {
    const file = writeIn(dir, "r.yaml", ruleFile("uno", "alpha"));
    await start(dir);
    writeFileSync(file, "rules:\n  - id: uno\n    match: '(broken'\n");
    await waitFor(() => reported.length > 0, "the reload");
    expect(reported[0]!.map((p) => `${p.line}: ${p.field}`)).toEqual(["3: rules[0].match"]);
    expect(matchedRule("alpha")).toBe("uno");
    expect(loads).toEqual([]);
    // fixing it again takes effect
    writeFileSync(file, ruleFile("uno", "omega"));
    await waitFor(() => matchedRule("omega") === "uno", "the reload");
  });

  it("ends with the last content after rapid rewrites, good and bad mixed", async () => {
    const file = writeIn(dir, "r.yaml", ruleFile("uno", "v0"));
    await start(dir);
    for (let i = 1; i <= 30; i++) {
      writeFileSync(file, i % 3 === 0 ? "rules: [oops" : ruleFile("uno", `v${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    writeFileSync(file, ruleFile("uno", "final"));
    await waitFor(() => matchedRule("final") === "uno", "the reload");
    expect(matchedRule("v29")).toBeNull();
  });

  it("reloads a burst of writes once it is over, not once per write", async () => {
    const file = writeIn(dir, "r.yaml", ruleFile("uno", "v0"));
    await start(dir);
    // Thirty writes within one turn of the event loop: every change event they cause comes after the last one.
    for (let i = 1; i <= 30; i++) writeFileSync(file, i % 3 === 0 ? "rules: [oops" : ruleFile("uno", `v${i}`));
    writeFileSync(file, ruleFile("uno", "final"));
    await waitFor(() => matchedRule("final") === "uno", "the reload");
    expect(reported).toEqual([]);
    expect(loads.length).toBeLessThan(10);
  });

  it("watches an explicit list of files and ignores other files in their folder", async () => {
    const a = writeIn(dir, "a.yaml", ruleFile("uno", "alpha"));
    await start([a]);
    writeIn(dir, "other.yaml", "not: [valid");
    writeFileSync(a, ruleFile("uno", "beta"));
    await waitFor(() => matchedRule("beta") === "uno", "the reload");
    // The invalid file written first, beside the watched one, was never read.
    expect(reported).toEqual([]);
    expect(loads.every((load) => load.rules.every((rule) => rule.file === a))).toBe(true);
  });
});
