import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkRegexSafety } from "../../src/rules/check-regex-safety.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** recheck's budget is wall-clock time: on a loaded 2-core machine the default can run out before a verdict. */
const SLOW_MACHINE_TIMEOUT_MS = 60_000;

/** Verdicts reach the cache file once the task that stored them ends. */
function endOfTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const recheckVersion = (createRequire(import.meta.url)("recheck/package.json") as { version: string }).version;

describe("checkRegexSafety", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
  });
  afterEach(() => cleanup());

  it("finds exponential and polynomial backtracking with recheck", () => {
    const exp = checkRegexSafety("(a+)+$", "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    expect(exp).toMatchObject({ status: "vulnerable", complexity: "exponential", alternative: null });
    const poly = checkRegexSafety("ok|\\s*x\\s*$", "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    expect(poly).toMatchObject({ status: "vulnerable", complexity: "2nd degree polynomial", alternative: "\\s*x\\s*$" });
    expect(checkRegexSafety("No such file or directory: '(?<path>[^'\\n]+)'", "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
  });

  it("refuses nested bounded repetition, which a checker of growing input calls linear but which multiplies into billions of steps", () => {
    // One 11-byte line held a whole daemon for minutes with the first; the second is the same with digits.
    for (const source of ["^(?:(?:a?){9}){9}$", "^(\\d{1,9}){1,9}x$"]) {
      expect(checkRegexSafety(source, "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toMatchObject({ status: "vulnerable", complexity: expect.stringMatching(/^exponential/), nestedBounds: true });
    }
    // Bounds that nest but cannot split text in several ways (an IPv4 address, a date) stay accepted.
    expect(checkRegexSafety("from (?<ip>(?:\\d{1,3}\\.){3}\\d{1,3})", "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
    expect(checkRegexSafety("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}", "", { cacheFile: null, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
  });

  it("checks every alternative whatever its shape, and asks recheck once per alternative thanks to the cache", async () => {
    const cacheFile = join(dir, "verdicts.json");
    const source = Array.from({ length: 20 }, (_, i) => `literal number ${i} (?:with|without) options?`).join("|");
    expect(checkRegexSafety(source, "", { cacheFile, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
    await endOfTask();
    const stored = JSON.parse(readFileSync(cacheFile, "utf8")) as { verdicts: Record<string, unknown> };
    expect(Object.keys(stored.verdicts)).toHaveLength(20);
    expect(stored.verdicts["/literal number 7 (?:with|without) options?"]).toEqual({ status: "safe" });
  });

  it("stores verdicts on disk and reuses them in later runs", async () => {
    const cacheFile = join(dir, "verdicts.json");
    expect(checkRegexSafety("stored (?<n>[a-z]+)!", "i", { cacheFile, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
    await endOfTask();
    const stored = JSON.parse(readFileSync(cacheFile, "utf8"));
    expect(stored).toEqual({ version: 1, checker: recheckVersion, verdicts: { "i/stored (?<n>[a-z]+)!": { status: "safe" } } });

    // A verdict written by an earlier run is believed (here forged, to prove it is read and not recomputed).
    const forged = join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify({ version: 1, checker: recheckVersion, verdicts: { "/never computed \\d+x": { status: "vulnerable", complexity: "exponential", attack: "'1'.repeat(9)" } } }));
    expect(checkRegexSafety("never computed \\d+x", "", { cacheFile: forged })).toMatchObject({ status: "vulnerable", attack: "'1'.repeat(9)" });

    // Another recheck version's verdicts are ignored.
    const foreign = join(dir, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ version: 1, checker: "0.0.1", verdicts: { "/other version \\d+y": { status: "vulnerable", complexity: "exponential", attack: "x" } } }));
    expect(checkRegexSafety("other version \\d+y", "", { cacheFile: foreign, timeoutMs: SLOW_MACHINE_TIMEOUT_MS })).toEqual({ status: "safe" });
  });
});
