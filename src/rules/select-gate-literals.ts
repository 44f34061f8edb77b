/**
 * Choosing the substrings a literal gate searches for. Any substring of a required literal is itself
 * required, so the choice is free, and it decides the gate's speed: V8 tries the alternatives of a regex
 * one by one at each position, so what costs is the number of distinct FIRST characters across the
 * alternatives and how often those characters occur in ordinary log text. Measured on bot log lines:
 * longest literals ≈ 2 M lines/s, substrings starting on a few rare characters ≈ 8 M lines/s.
 */

/** Rough frequency (%) of characters in log text: English letters, digits, separators. Unlisted: rare. */
const LOG_TEXT_FREQUENCY: Readonly<Record<string, number>> = {
  " ": 15, e: 12.7, t: 9.1, a: 8.2, o: 7.5, i: 7.0, n: 6.7, s: 6.3, h: 6.1, r: 6.0, d: 4.3, l: 4.0,
  c: 2.8, u: 2.8, m: 2.4, w: 2.4, f: 2.2, g: 2.0, y: 2.0, p: 1.9, b: 1.5, v: 1.0, k: 0.8, j: 0.15,
  x: 0.15, q: 0.1, z: 0.07, "-": 2, ":": 2, ".": 2, "/": 2, _: 1.5, ",": 1, "[": 0.5, "]": 0.5,
  "(": 0.5, ")": 0.5, '"': 0.5, "'": 0.5, "=": 0.3,
  0: 3, 1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3,
};
/** Capitals of level names and HTTP words (INFO, ERROR, POST…) are common; other capitals are rare. */
const COMMON_CAPITALS = "INFOERTPSHDGB";
const RARE = 0.2;

/** How often `c` occurs in ordinary log text, so how often it starts a false candidate (%). */
export function estimateFrequency(c: string, caseInsensitive: boolean): number {
  const known = LOG_TEXT_FREQUENCY[c];
  if (known !== undefined) return known;
  const lower = c.toLowerCase();
  if (lower === c) return RARE;
  const lowerFrequency = LOG_TEXT_FREQUENCY[lower] ?? RARE;
  if (caseInsensitive) return lowerFrequency;
  return COMMON_CAPITALS.includes(c) ? 1 : lowerFrequency / 10;
}

/** Substrings shorter than this hit ordinary words (`video`, `file`) too often. */
const PREFERRED_MIN_CHARS = 6;
/** Longer substrings only make the regex bigger. */
const MAX_CHARS = 12;

/**
 * One substring per literal such that the set of first characters is small and rare: a greedy weighted
 * set cover picks start characters by (literals newly covered) / (frequency), then each literal is cut
 * at its first occurrence of a picked character. Literals shorter than PREFERRED_MIN_CHARS stay whole;
 * under Unicode case folding (`iu`) literals holding surrogates stay whole too (never split a pair).
 */
export function selectGateLiterals(literals: readonly string[], caseInsensitive: boolean, unicode: boolean): string[] {
  const key = (c: string): string => (caseInsensitive ? c.toLowerCase() : c);
  const startsByChar = literals.map((l) => {
    const starts = new Map<string, number>();
    const keepWhole = l.length <= PREFERRED_MIN_CHARS || (unicode && /[\ud800-\udfff]/.test(l));
    const lastStart = keepWhole ? 0 : l.length - PREFERRED_MIN_CHARS;
    for (let i = 0; i <= lastStart; i++) if (!starts.has(key(l[i]!))) starts.set(key(l[i]!), i);
    return { starts, keepWhole };
  });
  const chosen: string[] = [];
  const uncovered = new Set(literals.keys());
  while (uncovered.size > 0) {
    const counts = new Map<string, number>();
    for (const j of uncovered) for (const c of startsByChar[j]!.starts.keys()) counts.set(c, (counts.get(c) ?? 0) + 1);
    let best = "";
    let bestScore = -1;
    for (const [c, n] of counts) {
      const score = n / estimateFrequency(c, caseInsensitive);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    chosen.push(best);
    for (const j of [...uncovered]) if (startsByChar[j]!.starts.has(best)) uncovered.delete(j);
  }
  return literals.map((l, j) => {
    const { starts, keepWhole } = startsByChar[j]!;
    if (keepWhole) return l;
    // the rarest picked character that occurs in this literal
    const at = starts.get(chosen.find((c) => starts.has(c))!)!;
    return l.slice(at, at + MAX_CHARS);
  });
}
