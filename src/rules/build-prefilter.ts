import type { CompiledRule } from "../types.js";
import { escapeRegExp } from "../util/template.js";
import { listRequiredLiterals } from "./find-required-literal.js";
import { hasBackreference } from "./split-regex-source.js";
import { selectGateLiterals } from "./select-gate-literals.js";
import { buildLiteralScanner, type LiteralEntry, type LiteralScanner } from "./build-literal-scanner.js";

/**
 * Rewrites a regex source so that it captures nothing: `(x)` and `(?<name>x)` become `(?:x)`.
 * Several rules' patterns can then share one alternation without clashing group names, and the engine does
 * no capture bookkeeping on the 99 % of lines that match nothing. Returns null when the source uses
 * backreferences (`\1`, `\k<name>`), whose meaning depends on the groups being kept.
 */
export function removeCaptureGroups(source: string): string | null {
  if (hasBackreference(source)) return null;
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (c === "(") {
      if (source[i + 1] !== "?") {
        out += "(?:";
      } else if (source[i + 2] === "<" && source[i + 3] !== "=" && source[i + 3] !== "!") {
        const close = source.indexOf(">", i + 3);
        if (close < 0) return null;
        out += "(?:";
        i = close;
      } else {
        // (?: (?= (?! (?<= (?<! are copied as they are.
        out += "(?";
        i++;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * A gate in front of some rules: when it does not let an event through, none of those rules can match it. A regex
 * gate (`pattern`) opens to all of its rules at once; a literal scanner (`scanner`) opens to the rules of the
 * literals it finds.
 */
interface PrefilterGroup {
  /** `literals`: required substrings of the rules' patterns; `combined`: the rules' patterns without captures. */
  kind: "literals" | "combined";
  /** The flags the gate follows (those of its rules). */
  flags: string;
  pattern: RegExp | null;
  scanner: LiteralScanner | null;
  /** Indexes (into the rule list given) of the rules behind this gate. */
  ruleIndexes: number[];
}

export interface Prefilter {
  groups: PrefilterGroup[];
  /** Rule index → index of its group, or -1 when the rule is tested on its own (backreferences). */
  groupOf: Int32Array;
}

/**
 * Gates for a list of rules, cheapest first. Most log lines match no rule, and for them the gates are the
 * whole cost of matching, so they must be as cheap as a scan can be:
 *
 * 1. `literals`: every top-level alternative of most `match` patterns contains a run of plain characters
 *    any match must include (`[Tt]imed out` → `imed out`). A literal scanner (build-literal-scanner.ts) finds
 *    which of them a text holds, and so which rules may match it. One gate for case-sensitive rules, one per
 *    case-insensitive flag set; for the rules whose flags the scanner cannot follow (`iu`, or `i` with a literal
 *    outside ASCII), a regex of the literals: a trie of substrings chosen to start on few, rare characters
 *    (select-gate-literals.ts).
 * 2. `combined`: rules without such literals share one alternation `(?:a)|(?:b)|…` of their patterns
 *    without captures, per flag set (flags cannot be mixed inside one regex before V8's `(?i:)`). It
 *    matches exactly when one of its rules' `match` does. Each piece passed the ReDoS check alone, and an
 *    alternation of linear patterns stays linear.
 * 3. Rules with backreferences are tested alone.
 */
export function buildPrefilter(rules: readonly CompiledRule[]): Prefilter {
  const groupOf = new Int32Array(rules.length).fill(-1);
  const literalBuckets = new Map<string, { entries: LiteralEntry[]; ruleIndexes: number[] }>();
  const combinedBuckets = new Map<string, { parts: string[]; ruleIndexes: number[] }>();
  rules.forEach((rule, i) => {
    const literals = listRequiredLiterals(rule.match.source);
    if (literals !== null) {
      // Case-sensitive rules share an exact gate (its literals occur verbatim in any match). Case-insensitive
      // ones need an `i` gate, with `u` apart: `u` changes case folding (the Kelvin sign folds to `k`).
      const flags = rule.match.flags;
      const key = flags.includes("i") ? (flags.includes("u") ? "iu" : "i") : "";
      let bucket = literalBuckets.get(key);
      if (!bucket) literalBuckets.set(key, (bucket = { entries: [], ruleIndexes: [] }));
      for (const literal of literals) bucket.entries.push({ literal, ruleIndexes: [i] });
      bucket.ruleIndexes.push(i);
      return;
    }
    const plain = removeCaptureGroups(rule.match.source);
    if (plain === null) return;
    const key = rule.match.flags.replace(/[gyd]/g, "");
    let bucket = combinedBuckets.get(key);
    if (!bucket) combinedBuckets.set(key, (bucket = { parts: [], ruleIndexes: [] }));
    bucket.parts.push(plain);
    bucket.ruleIndexes.push(i);
  });
  const groups: PrefilterGroup[] = [];
  const addGroup = (group: Omit<PrefilterGroup, "pattern"> & { pattern: (() => RegExp) | null }): void => {
    let pattern: RegExp | null;
    try {
      pattern = group.pattern?.() ?? null;
    } catch {
      return; // cannot happen for sources that compiled alone; if it did, the rules are simply tested alone
    }
    for (const i of group.ruleIndexes) groupOf[i] = groups.length;
    groups.push({ ...group, pattern });
  };
  for (const [flags, b] of literalBuckets) {
    const caseInsensitive = flags.includes("i");
    // The scanner follows `i` without `u` for ASCII literals only: a rule with another literal keeps a regex gate.
    const scannable = (i: number): boolean => flags === "" || (flags === "i" && b.entries.every((e) => e.ruleIndexes[0] !== i || isAscii(e.literal)));
    const scanned = b.ruleIndexes.filter(scannable);
    const scanner = buildLiteralScanner(b.entries.filter((e) => scanned.includes(e.ruleIndexes[0]!)), caseInsensitive);
    if (scanner !== null) addGroup({ kind: "literals", flags, pattern: null, scanner, ruleIndexes: scanned });
    const rest = scanner === null ? b.ruleIndexes : b.ruleIndexes.filter((i) => !scannable(i));
    if (rest.length === 0) continue;
    const buildTrie = (): RegExp => {
      const literals = b.entries.filter((e) => rest.includes(e.ruleIndexes[0]!)).map((e) => e.literal);
      return new RegExp(buildLiteralTrie(selectGateLiterals(literals, caseInsensitive, flags.includes("u")), caseInsensitive), flags);
    };
    addGroup({ kind: "literals", flags, pattern: buildTrie, scanner: null, ruleIndexes: rest });
  }
  for (const [flags, b] of combinedBuckets) {
    const pattern = (): RegExp => new RegExp(b.parts.map((s) => `(?:${s})`).join("|"), flags);
    addGroup({ kind: "combined", flags, pattern, scanner: null, ruleIndexes: b.ruleIndexes });
  }
  return { groups, groupOf };
}

function isAscii(text: string): boolean {
  return !/[^\x00-\x7f]/.test(text);
}

/**
 * An alternation of literals factored as a trie (`E(?:ACCES|NOSPC)`), so that literals sharing a first
 * character cost one test per position. Literals containing another are dropped: the shorter one already
 * opens the gate. `caseInsensitive` folds ASCII letters first (the regex gets the `i` flag).
 */
export function buildLiteralTrie(literals: readonly string[], caseInsensitive: boolean): string {
  const fold = (s: string): string => (caseInsensitive ? s.replace(/[A-Z]/g, (c) => c.toLowerCase()) : s);
  const unique = [...new Set(literals.map(fold))].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const l of unique) if (!kept.some((k) => l.includes(k))) kept.push(l);
  interface Node { end: boolean; next: Map<string, Node> }
  const root: Node = { end: false, next: new Map() };
  for (const l of kept) {
    let node = root;
    for (const c of l) {
      let child = node.next.get(c);
      if (!child) node.next.set(c, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const emit = (node: Node): string => {
    if (node.end) return "";
    const branches = [...node.next].map(([c, child]) => escapeRegExp(c) + emit(child));
    return branches.length === 1 ? branches[0]! : `(?:${branches.join("|")})`;
  };
  return emit(root);
}
