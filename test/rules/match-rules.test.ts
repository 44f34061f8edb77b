import { beforeAll, describe, expect, it } from "@jest/globals";
import { buildMatchKey, createRuleMatcher, findClaimingRules, matchFirstRule } from "../../src/rules/match-rules.js";
import { loadRules } from "../../src/rules/load-rules.js";
import type { LoadedRule } from "../../src/rules/compile-rule.js";
import { makeEvent } from "../helpers/make-rule.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { writeIn } from "./rules-fixtures.js";

/** Loads rules from YAML text through the real loader (the matcher only ever sees compiled rules). */
function compile(yaml: string): LoadedRule[] {
  const { dir, cleanup } = makeTempDir();
  try {
    writeIn(dir, "r.yaml", yaml);
    const { rules, problems } = loadRules(dir);
    expect(problems).toEqual([]);
    return rules;
  } finally {
    cleanup();
  }
}

const RULES_YAML = `
rules:
  - id: disco
    match: 'No space left on device'
    key: disco
  - id: ruta
    match: "No such file or directory: '(?<path>(?:(?<dir>[^'\\n]*)/)?[^/'\\n]+)'"
    exclude: ['^[^\\n]*\\bDEBUG\\b', 'docker\\.sock']
    extract: ['modelos/(?<modelo>[^/\\s''"]+)(?:/(?<video>[^/\\s''"]+\\.mp4))?', '(?<path>never-used)']
  - id: amplio
    match: 'No such file'
  - id: solo_backend
    match: 'Traceback'
    sources: [backend]
  - id: clave
    match: 'user (?<user>\\w+) (?:from (?<host>\\S+)|locally)'
    key: '{user}@{host}'
  - id: mayusculas
    match: 'fatal error'
    flags: i
  - id: eco
    match: '(?<w>\\b\\w{3,}\\b) \\k<w>'
`;

describe("createRuleMatcher", () => {
  const rules = compile(RULES_YAML);
  const match = createRuleMatcher(rules);

  it("lets the first matching rule win, in file order", () => {
    const m = match(makeEvent("OSError: No such file or directory: 'modelos/ana/x.mp4'"));
    expect(m?.rule.id).toBe("ruta");
    expect(findClaimingRules(rules, makeEvent("No such file or directory: 'x'")).map((c) => c.rule.id)).toEqual(["ruta", "amplio"]);
  });

  it("cancels a match when an exclude pattern hits, and falls through to the next rule", () => {
    expect(match(makeEvent("2025-01-01 - bot - DEBUG - No such file or directory: 'x'"))?.rule.id).toBe("amplio");
    expect(match(makeEvent("dial unix /var/run/docker.sock: No such file or directory: 'y'"))?.rule.id).toBe("amplio");
  });

  it("applies source filters", () => {
    expect(match(makeEvent("Traceback (most recent call last):", { source: "bot" }))).toBeNull();
    expect(match(makeEvent("Traceback (most recent call last):", { source: "backend" }))?.rule.id).toBe("solo_backend");
  });

  it("turns named captures and extract captures into fields, leaving undefined groups out", () => {
    const full = match(makeEvent("FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'"));
    expect(full?.fields).toEqual({
      path: "modelos/ana/20251225_143020_a3f2b1.mp4",
      dir: "modelos/ana",
      modelo: "ana",
      video: "20251225_143020_a3f2b1.mp4",
    });
    // `dir` did not participate, `video` neither: both absent, not undefined
    const bare = match(makeEvent("No such file or directory: 'ffprobe'"));
    expect(bare?.fields).toEqual({ path: "ffprobe" });
    expect(Object.keys(bare!.fields)).toEqual(["path"]);
    // the folder alone: modelo without video
    expect(match(makeEvent("No such file or directory: 'modelos/ana'"))?.fields).toEqual({ path: "modelos/ana", dir: "modelos", modelo: "ana" });
  });

  it("keeps the match's capture when an extract regex captures the same name", () => {
    const m = match(makeEvent("No such file or directory: 'a/b' never-used"));
    expect(m?.fields.path).toBe("a/b");
  });

  it("builds keys from the template, or from the rule id and all fields sorted by name", () => {
    expect(match(makeEvent("No space left on device"))?.key).toBe("disco:disco");
    expect(match(makeEvent("No such file or directory: 'modelos/ana/x.mp4'"))?.key).toBe(
      "ruta:dir=modelos/ana,modelo=ana,path=modelos/ana/x.mp4,video=x.mp4",
    );
    expect(match(makeEvent("No such file, sorry"))?.key).toBe("amplio");
    expect(match(makeEvent("user bob from 10.0.0.1"))?.key).toBe("clave:bob@10.0.0.1");
    // a field the template names but the event did not capture is left empty
    expect(match(makeEvent("user bob locally"))?.key).toBe("clave:bob@");
  });

  it("honours flags and backreferences", () => {
    expect(match(makeEvent("FATAL ERROR in module"))?.rule.id).toBe("mayusculas");
    expect(match(makeEvent("the the cat"))?.fields).toEqual({ w: "the" });
    expect(match(makeEvent("the cat"))).toBeNull();
  });

  it("returns null when no rule matches", () => {
    expect(match(makeEvent("2025-12-25 14:30:20,118 - httpx - INFO - HTTP Request: POST http://localhost:8081/getUpdates 200 OK"))).toBeNull();
  });

  it("exposes buildMatchKey for other stages", () => {
    expect(buildMatchKey(rules[0]!, {})).toBe("disco:disco");
    expect(buildMatchKey(rules[2]!, { b: "2", a: "1" })).toBe("amplio:a=1,b=2");
  });
});

describe("the prefilter agrees with the plain per-rule loop", () => {
  // Mixed rules: literal-gated, combined (no usable literal), backreference (tested alone), i and u flags.
  const yaml = `
rules:
  - id: literal
    match: '[Tt]imed out|\\bTimeout(?:Error)?:|ENOSPC'
  - id: sin_literal
    match: '^\\d+ [a-z]{2}$'
    flags: m
  - id: insensible
    match: 'permission denied(?:: ''(?<path>[^'']+)'')?'
    flags: i
  - id: unicode
    match: 'kelvin \\u{212A}|caf[eé] ☕ (?<n>\\d)'
    flags: iu
  - id: eco
    match: '(?<w>\\b\\w{3,}\\b) \\k<w>'
  - id: vacio_opcional
    match: 'ab?c(?:d|e)f'
  - id: excluida
    match: 'fallo (?<code>\\d+)'
    exclude: ['fallo 0\\b']
`;
  let rules: LoadedRule[];
  beforeAll(() => {
    rules = compile(yaml);
  });

  it("on hand-picked tricky events", () => {
    const match = createRuleMatcher(rules);
    const events = [
      "Timed out", "TIMED OUT", "xTimeoutError: y", "Timeout set", "12 ab", "x\n12 ab\ny", "12 abc",
      "PERMISSION DENIED: 'x'", "Permission Denied", "kelvin k", "KELVIN \u212A", "Café ☕ 7", "CAFE ☕ 1",
      "the the", "abcdf", "acef", "abbcdf", "fallo 12", "fallo 0", "fallo 0 fallo 3", "", "\u0000\uffff",
    ];
    for (const text of events) {
      for (const source of ["bot", "backend"]) {
        const e = makeEvent(text, { source });
        expect([text, summarize(match(e))]).toEqual([text, summarize(matchFirstRule(rules, e))]);
      }
    }
  });

  it("on random lines assembled from the rules' own fragments", () => {
    const match = createRuleMatcher(rules);
    const fragments = [
      "Timed", "timed", " out", "Timeout", "Error", ":", "ENOSPC", "ENO", "12", " ", "ab", "\n", "permission", "PERMISSION",
      " denied", ": '", "x", "'", "kelvin ", "\u212A", "k", "café", "cafe", " ☕ ", "7", "the", "cat", "a", "b", "c", "d", "e",
      "f", "fallo ", "0", "3", "é", "É", "\ud83d\ude00",
      // whole phrases, so that a good share of lines match and both outcomes are compared
      "Timed out", "12 ab", "Permission denied: 'p'", "the the", "abcdf", "fallo 7", "Café ☕ 3", "TimeoutError:",
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let hits = 0;
    for (let i = 0; i < 8000; i++) {
      const parts: string[] = [];
      const count = 1 + random(8);
      for (let j = 0; j < count; j++) parts.push(fragments[random(fragments.length)]!);
      const e = makeEvent(parts.join(""), { source: i % 2 ? "bot" : "backend" });
      const fast = summarize(match(e));
      expect(fast).toEqual(summarize(matchFirstRule(rules, e)));
      if (fast) hits++;
    }
    // the generator must exercise both outcomes, or the comparison proves nothing
    expect(hits).toBeGreaterThan(800);
    expect(hits).toBeLessThan(7200);
  });
});

function summarize(m: ReturnType<ReturnType<typeof createRuleMatcher>>): unknown {
  return m ? { rule: m.rule.id, fields: m.fields, key: m.key } : null;
}
