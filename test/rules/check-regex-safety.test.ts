import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkRegexSafety } from "../../src/rules/check-regex-safety.js";
import { makeTempDir } from "./rules-fixtures.js";

const recheckVersion = (createRequire(import.meta.url)("recheck/package.json") as { version: string }).version;

describe("checkRegexSafety", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
  });
  afterEach(() => cleanup());

  it("finds exponential and polynomial backtracking with recheck", () => {
    const exp = checkRegexSafety("(a+)+$", "", { cacheFile: null });
    expect(exp).toMatchObject({ status: "vulnerable", complexity: "exponential", alternative: null });
    const poly = checkRegexSafety("ok|\\s*x\\s*$", "", { cacheFile: null });
    expect(poly).toMatchObject({ status: "vulnerable", complexity: "2nd degree polynomial", alternative: "\\s*x\\s*$" });
    expect(checkRegexSafety("No such file or directory: '(?<path>[^'\\n]+)'", "", { cacheFile: null })).toEqual({ status: "safe" });
  });

  it("does not ask recheck about alternatives that cannot repeat, so long literal alternations cost nothing", () => {
    const cacheFile = join(dir, "verdicts.json");
    const source = Array.from({ length: 200 }, (_, i) => `literal number ${i} (?:with|without) options?`).join("|");
    expect(checkRegexSafety(source, "", { cacheFile })).toEqual({ status: "safe" });
    expect(() => readFileSync(cacheFile)).toThrow(); // nothing was computed, nothing stored
  });

  it("stores verdicts on disk and reuses them in later runs", () => {
    const cacheFile = join(dir, "verdicts.json");
    expect(checkRegexSafety("stored (?<n>[a-z]+)!", "i", { cacheFile })).toEqual({ status: "safe" });
    const stored = JSON.parse(readFileSync(cacheFile, "utf8"));
    expect(stored).toEqual({ version: 1, checker: recheckVersion, verdicts: { "i/stored (?<n>[a-z]+)!": { status: "safe" } } });

    // A verdict written by an earlier run is believed (here forged, to prove it is read and not recomputed).
    const forged = join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify({ version: 1, checker: recheckVersion, verdicts: { "/never computed \\d+x": { status: "vulnerable", complexity: "exponential", attack: "'1'.repeat(9)" } } }));
    expect(checkRegexSafety("never computed \\d+x", "", { cacheFile: forged })).toMatchObject({ status: "vulnerable", attack: "'1'.repeat(9)" });

    // Another recheck version's verdicts are ignored.
    const foreign = join(dir, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ version: 1, checker: "0.0.1", verdicts: { "/other version \\d+y": { status: "vulnerable", complexity: "exponential", attack: "x" } } }));
    expect(checkRegexSafety("other version \\d+y", "", { cacheFile: foreign })).toEqual({ status: "safe" });
  });
});
