import { describe, expect, it } from "@jest/globals";
import { buildLiteralTrie, buildPrefilter, removeCaptureGroups } from "../../src/rules/build-prefilter.js";
import { findRequiredLiteral, findRequiredLiteralSet, listRequiredLiterals } from "../../src/rules/find-required-literal.js";
import { selectGateLiterals } from "../../src/rules/select-gate-literals.js";
import { buildLiteralScanner, type LiteralEntry } from "../../src/rules/build-literal-scanner.js";
import { escapeRegExp } from "../../src/util/template.js";
import { hasBackreference, splitTopLevelAlternatives, widenNestedBounds } from "../../src/rules/split-regex-source.js";
import type { CompiledRule } from "../../src/types.js";

describe("findRequiredLiteral", () => {
  it.each([
    ["[Tt]imed out", "imed out"],
    ["ab?c", "a"],
    ["abc+d", "abc"],
    ["x{0,3}yz", "yz"],
    ["No such file(?: or directory)?", "No such file"],
    ["\\bTimeout(?:Error)?:", "Timeout"],
    ["\\[Errno 28\\]", "[Errno 28]"],
    ["(?<w>\\w+) \\k<w>", " "],
    ["\\x41BC", "BC"],
    ["\\u0041BC|", "BC"],
    ["\\u{1F600}xyz", "xyz"],
    ["\\p{Lu}abc", "abc"],
    ["\\101 octal", " octal"],
    ["a.b", "a"],
    ["^start$", "start"],
    ["(?=look)ahead", "ahead"],
    ["(?!never)yes", "yes"],
    ["[^]x", "x"],
    ["\\d+", null],
  ])("%s requires %s", (source, literal) => {
    expect(findRequiredLiteral(source)).toBe(literal);
  });

  it("drops both halves of an astral character made optional (under the u flag the quantifier covers both)", () => {
    expect(findRequiredLiteral("ab\ud83d\ude00?c")).toBe("ab");
  });

  it("gives one literal per top-level alternative, or null when one alternative has none long enough", () => {
    expect(listRequiredLiterals("timed out|ENOSPC|(?:a|b)xyz")).toEqual(["timed out", "ENOSPC", "xyz"]);
    expect(listRequiredLiterals("timed out|\\d+ab")).toBeNull();
  });

  it.each([
    // a required group counts through its alternatives; a run through small classes and plain-word groups
    ["\\b[Bb]ot ?(?:API|[Aa]pi)(?: server)? (?:down|unreachable|ca[ií]d[oa])\\b", [" down", " unreachable", " caido", " caida", " caído", " caída"]],
    ["(?:[Ff]ile|[Ff]older) (?:does not exist|could not be found)", ["does not exist", "could not be found"]],
    ["(?<![Nn]o )\\b(?:[Cc]orrupt(?:ed)?|CORRUPT(?:ED)?) (?:video|file)s?", ["orrupt", "CORRUPT"]],
    // a longer set wins over a short common word (`full` is in `successfully`)
    ["\\b(?:[Dd]isk|[Dd]rive) (?:is )?full\\b", ["Disk ", "disk ", "Drive ", "drive "]],
    // what lookarounds, optional groups and big classes hold is never required
    ["(?=abcdef)x(?:ghijkl)?[a-z]yz", null],
    ["(?:abc|\\d+)xyzw", ["xyzw"]],
  ])("%s requires one of %j", (source, set) => {
    expect(findRequiredLiteralSet(source)).toEqual(set);
  });

  it("never proposes a literal that a matching text lacks (random texts of the rules' alphabet)", () => {
    const sources = ["[Tt]imed out", "ab?c(?:d|e)f", "x+y{2}z", "(?<w>ab) \\k<w>c", "\\x61bc", "a\\.b\\(c", "q(?:r|s)*tu", "[Tt](?:ab|c)(?:de|f)", "(?:x|y)?ab[cd]", "(?:a[bc]|d)+e"];
    const alphabet = ["a", "b", "c", "d", "e", "f", "x", "y", "z", "q", "r", "s", "t", "u", " ", ".", "(", "T", "imed out"];
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
    for (const source of sources) {
      const re = new RegExp(source);
      const literals = listRequiredLiterals(source, 1) ?? [];
      for (let i = 0; i < 3000; i++) {
        let text = "";
        for (let j = next(12); j >= 0; j--) text += alphabet[next(alphabet.length)];
        if (re.test(text)) expect([source, text, literals.some((l) => text.includes(l))]).toEqual([source, text, true]);
      }
    }
  });
});

describe("selectGateLiterals", () => {
  const literals = ["imed out", "ENOSPC", "Permission denied", "No such file or directory", "moov atom not found", "full"];

  it("returns a substring of each literal", () => {
    for (const ci of [false, true]) {
      const chosen = selectGateLiterals(literals, ci, false);
      chosen.forEach((c, i) => expect(ci ? literals[i]!.toLowerCase().includes(c.toLowerCase()) : literals[i]!.includes(c)).toBe(true));
    }
  });

  it("keeps short literals whole and prefers few, rare first characters", () => {
    const chosen = selectGateLiterals(literals, false, false);
    expect(chosen[5]).toBe("full");
    const firsts = new Set(chosen.map((c) => c[0]));
    expect(firsts.size).toBeLessThan(literals.length);
    for (const c of chosen) expect(c.length).toBeGreaterThanOrEqual(4);
  });

  it("never splits a surrogate pair under iu", () => {
    expect(selectGateLiterals(["caf\ud83d\ude00 long literal text"], true, true)).toEqual(["caf\ud83d\ude00 long literal text"]);
  });
});

describe("buildLiteralTrie", () => {
  it("factors shared prefixes and drops literals that contain another", () => {
    expect(buildLiteralTrie(["EACCES", "ENOSPC", "ENOSPC on disk", "a.b"], false)).toBe("(?:a\\.b|E(?:ACCES|NOSPC))");
    expect(buildLiteralTrie(["Timeout", "timed"], true)).toBe("time(?:d|out)");
  });
});

describe("removeCaptureGroups", () => {
  it.each([
    ["(?<path>[^']+)", "(?:[^']+)"],
    ["(a)(?:b)(?=c)(?!d)(?<=e)(?<!f)", "(?:a)(?:b)(?=c)(?!d)(?<=e)(?<!f)"],
    ["[(]\\((?<x>y)", "[(]\\((?:y)"],
    ["[\\]()]z", "[\\]()]z"],
    ["[\\1]", "[\\1]"],
  ])("%s → %s", (source, out) => {
    expect(removeCaptureGroups(source)).toBe(out);
  });

  it("refuses backreferences", () => {
    expect(removeCaptureGroups("(a)\\1")).toBeNull();
    expect(removeCaptureGroups("(?<w>a)\\k<w>")).toBeNull();
  });
});

describe("split-regex-source", () => {
  it("splits top-level alternatives only", () => {
    expect(splitTopLevelAlternatives("a|(b|c)|[|]|\\|d")).toEqual(["a", "(b|c)", "[|]", "\\|d"]);
  });

  it("widens bounded quantifiers only where repetition nests, outside classes and escapes, keeping lazy marks", () => {
    expect(widenNestedBounds("^(?:(?:a?){9}){9}$")).toBe("^(?:(?:a?){9,}){9,}$");
    expect(widenNestedBounds("(?<n>\\d{1,9}){1,9}?x")).toBe("(?<n>\\d{1,}){1,}?x");
    expect(widenNestedBounds("\\d{4}-\\d{2} [({]{2}\\({3}(ab){2}")).toBe("\\d{4}-\\d{2} [({]{2}\\({3}(ab){2}");
    expect(widenNestedBounds("(?:x+y)?z{2}")).toBe("(?:x+y)?z{2}");
  });

  it("finds backreferences", () => {
    expect(hasBackreference("(a)\\1")).toBe(true);
    expect(hasBackreference("[\\1]")).toBe(false);
    expect(hasBackreference("\\k<n>")).toBe(true);
  });
});

describe("buildPrefilter", () => {
  const rule = (id: string, source: string, flags = ""): CompiledRule =>
    ({ id, match: new RegExp(source, flags) }) as unknown as CompiledRule;

  it("puts literal rules behind literal gates, others behind a combined regex per flag set, backreferences alone", () => {
    const rules = [
      rule("a", "[Tt]imed out"),
      rule("b", "permission denied", "i"),
      rule("c", "^\\d+$", "m"),
      rule("d", "(?<w>\\w+) \\k<w>"),
      rule("e", "\\w+ ENOSPC|\\d+"),
      rule("f", "kelvin", "iu"),
    ];
    const { groups, groupOf } = buildPrefilter(rules);
    // literal gates are scanners, except under `iu` (Unicode case folding), which keeps a regex of the literals
    expect(groups.map((g) => [g.kind, g.flags, g.scanner === null ? g.pattern?.flags : "scanner", g.ruleIndexes])).toEqual([
      ["literals", "", "scanner", [0]],
      ["literals", "i", "scanner", [1]],
      ["literals", "iu", "iu", [5]],
      ["combined", "m", "m", [2]],
      ["combined", "", "", [4]],
    ]);
    expect([...groupOf]).toEqual([0, 1, 3, -1, 4, 2]);
    expect(groups[4]!.pattern!.source).toBe("(?:\\w+ ENOSPC|\\d+)");
  });

  it("under i, scans the rules with ASCII literals and leaves a rule with another literal to a regex", () => {
    const { groups, groupOf } = buildPrefilter([rule("a", "permission denied", "i"), rule("b", "conexión rehusada", "i"), rule("c", "access is denied", "i")]);
    expect(groups.map((g) => [g.kind, g.flags, g.scanner === null ? g.pattern?.source : "scanner", g.ruleIndexes])).toEqual([
      ["literals", "i", "scanner", [0, 2]],
      ["literals", "i", "xión rehusad", [1]],
    ]);
    expect([...groupOf]).toEqual([0, 1, 0]);
  });
});

describe("buildLiteralScanner", () => {
  let seed = 11;
  const next = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
  // Characters whose low bytes collide with ASCII ones (ţ is 0x163, ĥ 0x125, Ŀ 0x13f), accents, an astral pair.
  const alphabet = ["a", "b", "c", "x", "y", " ", "A", "B", "C", "X", "Y", "\n", "é", "É", "ţ", "ĥ", "Ŀ", "K", "\u212a", "😀", "ab", "c a", "bXy"];
  const randomText = (max: number): string => {
    let text = "";
    for (let j = next(max); j > 0; j--) text += alphabet[next(alphabet.length)];
    return text;
  };
  /**
   * Rule r must be marked when one of its literals occurs in `text` as a regex with the rule's flags sees it, and
   * may be marked when a literal inside one of its literals does (the scanner keeps the shorter of the two).
   */
  const expectedMarks = (entries: LiteralEntry[], rules: number, flags: string, text: string): { must: number[]; may: number[] } => {
    const must = new Array<number>(rules).fill(0);
    const may = new Array<number>(rules).fill(0);
    const fold = (s: string): string => (flags.includes("i") ? s.toLowerCase() : s);
    for (const e of entries) {
      if (new RegExp(escapeRegExp(e.literal), flags).test(text)) for (const r of e.ruleIndexes) must[r] = 1;
      const inside = entries.some((k) => fold(e.literal).includes(fold(k.literal)) && new RegExp(escapeRegExp(k.literal), flags).test(text));
      if (inside) for (const r of e.ruleIndexes) may[r] = 1;
    }
    return { must, may };
  };

  it.each([
    ["", false],
    ["i", true],
  ])("marks every rule whose literal occurs anywhere in the text, and no rule without one (flags %j), random literals and texts", (flags, caseInsensitive) => {
    const wrong: string[] = [];
    for (let round = 0; round < 150; round++) {
      const rules = 1 + next(5);
      const entries: LiteralEntry[] = [];
      for (let k = 1 + next(8); k > 0; k--) {
        let literal = randomText(5);
        while (literal.length < 2) literal += alphabet[next(alphabet.length)];
        if (caseInsensitive) literal = literal.replace(/[^\x00-\x7f]/g, "z");
        entries.push({ literal, ruleIndexes: [next(rules)] });
      }
      const scanner = buildLiteralScanner(entries, caseInsensitive)!;
      for (let t = 0; t < 20; t++) {
        // texts holding a literal at its start, at its end, once in upper case, or not at all
        const literal = entries[next(entries.length)]!.literal;
        const texts = [randomText(30), literal + randomText(10), randomText(10) + literal, randomText(10) + literal.toUpperCase() + randomText(3)];
        for (const text of texts) {
          const marks = new Uint8Array(rules);
          const found = scanner.mark(text, marks);
          const { must, may } = expectedMarks(entries, rules, flags, text);
          const ok = [...marks].every((m, r) => m >= must[r]! && m <= may[r]!) && found === marks.includes(1) && found === may.includes(1);
          if (!ok) wrong.push(`${JSON.stringify(entries)} in ${JSON.stringify(text)}: ${[...marks]} (must ${must}, may ${may})`);
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it("gives a rule its literal's shorter neighbour when one contains the other", () => {
    const scanner = buildLiteralScanner([{ literal: "ENOSPC on disk", ruleIndexes: [0] }, { literal: "ENOSPC", ruleIndexes: [1] }], false)!;
    const marks = new Uint8Array(2);
    expect(scanner.mark("write failed: ENOSPC", marks)).toBe(true);
    expect([...marks]).toEqual([1, 1]);
  });

  it("leaves to a regex what it cannot follow: a non-ASCII literal under i, a literal of one character", () => {
    expect(buildLiteralScanner([{ literal: "caída", ruleIndexes: [0] }], true)).toBeNull();
    expect(buildLiteralScanner([{ literal: "caída", ruleIndexes: [0] }], false)).not.toBeNull();
    expect(buildLiteralScanner([{ literal: "x", ruleIndexes: [0] }, { literal: "long one", ruleIndexes: [1] }], false)).toBeNull();
  });
});
