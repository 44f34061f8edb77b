/**
 * `vigia check` as an operator runs it: exit 0 on the shipped setup, exit 1 with one `file:line: field:
 * message` per problem (lines from the YAML parser) on a config and rule files with mistakes, and
 * `--samples` running every rule over its annotated sample log.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { BASE_CONFIG_YAML, cleanUpTest, createWorkspace, runVigia } from "./vigia-harness.js";
import { readRules } from "./rule-oracle.js";

afterEach(cleanUpTest);

/** Escapes text for use inside a RegExp. */
const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A problem line for `file` (printed relative or absolute), `line` and `field`. */
const problemLine = (file: string, line: number, field: string) => new RegExp(`^(?:\\S*/)?${quote(file)}:${line}: ${quote(field)}: .+$`, "m");

describe("vigia check (e2e)", () => {
  it("accepts the shipped rules with the base config: exit 0, nothing reported as a problem", async () => {
    const ws = createWorkspace();
    const r = await runVigia(ws.dir, ["check"]);
    expect(r.stderr).toBe("");
    const shipped = readRules(ws.at("rules", "descargas.yaml")).length;
    expect(r.stdout).toMatch(new RegExp(`^ok: .* ${shipped} rule\\(s\\) valid`, "m"));
    expect(r.code).toBe(0);
  });

  it("reports an unknown config key, an unknown rule key, a bad regex and a catastrophic regex each as file:line: field: message, exit 1", async () => {
    const config = [
      "# line 1: a config with two misspelled keys", //       1
      "status: null", //                                       2
      "checks:", //                                            3
      "  disk: null", //                                       4
      "  intervalo: 30", //                                    5  unknown key
      "remediation:", //                                       6
      "  allowed_roots: [modelos]", //                         7
      "  backof: [1, 2]", //                                   8  unknown key
      "",
    ].join("\n");
    const ws = createWorkspace({ config });
    ws.write(
      "rules/extra.yaml",
      [
        "rules:", //                                             1
        "  - id: bueno", //                                      2
        "    match: 'todo bien'", //                             3
        "  - id: malo", //                                       4
        "    match: '(?<x>sin cerrar'", //                       5  unterminated group
        "    severity: warning", //                              6
        "  - id: desconocido", //                                7
        "    match: 'algo'", //                                  8
        "    severidad: alta", //                                9  unknown key
        "  - id: lento", //                                      10
        "    match: '^(\\w+\\s?)+$'", //                         11 exponential backtracking
        "",
      ].join("\n"),
    );
    const r = await runVigia(ws.dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(problemLine("vigia.config.yaml", 5, "checks.intervalo"));
    expect(r.stdout).toMatch(problemLine("vigia.config.yaml", 8, "remediation.backof"));
    expect(r.stdout).toMatch(problemLine("rules/extra.yaml", 5, "rules[1].match"));
    expect(r.stdout).toMatch(problemLine("rules/extra.yaml", 9, "rules[2].severidad"));
    expect(r.stdout).toMatch(problemLine("rules/extra.yaml", 11, "rules[3].match"));
    // Exactly these five: the valid rule file (descargas.yaml) and the valid keys add nothing.
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
    expect(r.stdout).toMatch(/unknown key 'intervalo'/);
    expect(r.stdout).toMatch(/unknown key 'severidad'/);
  });

  it("fails on bad rules alone, with a valid config", async () => {
    const ws = createWorkspace({ config: BASE_CONFIG_YAML });
    ws.write("rules/extra.yaml", "rules:\n  - id: timeout\n    match: 'duplicate id of a shipped rule'\n");
    const r = await runVigia(ws.dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(problemLine("rules/extra.yaml", 2, "rules[0].id"));
  });

  it("--samples passes on the shipped rules and fails, naming the sample line, when an event annotated `none` matches", async () => {
    const ws = createWorkspace();
    const ok = await runVigia(ws.dir, ["check", "--samples"]);
    expect(ok.stdout).toMatch(/every rule passes its samples/);
    expect(ok.code).toBe(0);

    const before = ws.read("rules/samples/timeout.log").split("\n").length - (ws.read("rules/samples/timeout.log").endsWith("\n") ? 1 : 0);
    ws.append("rules/samples/timeout.log", "\n# expect: none\n2025-12-25 14:32:06,001 - bot_central - ERROR - telegram.error.TimedOut: Timed out\n");
    const annotationLine = before + 2; // a blank line, then the annotation
    const bad = await runVigia(ws.dir, ["check", "--samples"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`rules/samples/timeout\\.log:${annotationLine}: .*timeout`));
  });
});
