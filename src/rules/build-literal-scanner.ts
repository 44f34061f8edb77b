import { estimateFrequency } from "./select-gate-literals.js";

/** A required literal and the rules (indexes) that cannot match a text lacking it. */
export interface LiteralEntry {
  literal: string;
  ruleIndexes: readonly number[];
}

/** Which rules' required literals occur in a text. */
export interface LiteralScanner {
  /** Sets `marks[i] = 1` for every rule `i` with a literal found in `text` (others untouched); true when one was. */
  mark(text: string, marks: Uint8Array): boolean;
}

/** Characters hashed together: a pair is the least that is rare in log text when its characters are not. */
const BLOCK_CHARS = 2;
/** Longer windows would make bigger skips, but the shortest literal bounds them anyway. */
const MAX_WINDOW_CHARS = 16;

interface Candidate {
  literal: string;
  /** Where the literal's window starts in it. */
  windowStart: number;
  ruleIndexes: number[];
}

/**
 * A multi-literal search in the manner of Wu and Manber, in place of one alternation regex: V8 tries a regex's
 * alternatives one by one at each position of the text, so a gate of a hundred literals costs about 4 ns per
 * character, and most log text opens at least one of its first characters (a space, `o`, `c`). Here every literal
 * is represented by a window of `m` characters (m = the shortest literal's length), the window chosen where its
 * last pair of characters is rare; the text is read m − 1 characters at a time: a pair of characters that occurs in
 * no window skips up to m − 1 positions, and only a pair that ends some window is checked against those literals.
 * Each literal found marks its own rules, so an event that holds one rule's literal is tried against that rule
 * alone. Pairs are hashed on the low byte of each UTF-16 unit: a collision costs a comparison, never a literal.
 *
 * `caseInsensitive` follows the `i` flag without `u`: only ASCII letters fold (a character above 127 never
 * matches an ASCII one), so the scanner is built only when every literal is ASCII; null otherwise (and for a
 * literal shorter than a pair), in which case the caller keeps a regex gate.
 */
export function buildLiteralScanner(entries: readonly LiteralEntry[], caseInsensitive: boolean): LiteralScanner | null {
  if (entries.length === 0) return null;
  if (caseInsensitive && entries.some((e) => /[^\x00-\x7f]/.test(e.literal))) return null;
  const fold = (s: string): string => (caseInsensitive ? s.toLowerCase() : s);
  const rulesOf = new Map<string, Set<number>>();
  for (const e of entries) {
    const literal = fold(e.literal);
    let set = rulesOf.get(literal);
    if (!set) rulesOf.set(literal, (set = new Set()));
    for (const i of e.ruleIndexes) set.add(i);
  }
  // A literal containing a shorter one is dropped and its rules go to the shorter one: wherever the longer one
  // occurs, so does the shorter (a larger candidate set, never a smaller one).
  const kept: string[] = [];
  for (const literal of [...rulesOf.keys()].sort((a, b) => a.length - b.length)) {
    const inside = kept.find((k) => literal.includes(k));
    if (inside === undefined) kept.push(literal);
    else for (const i of rulesOf.get(literal)!) rulesOf.get(inside)!.add(i);
  }
  const windowChars = Math.min(MAX_WINDOW_CHARS, ...kept.map((l) => l.length));
  if (windowChars < BLOCK_CHARS) return null;
  const hash = caseInsensitive ? hashFolded : hashExact;
  const maxShift = windowChars - BLOCK_CHARS + 1;
  const shifts = new Uint8Array(65536).fill(maxShift);
  const candidates: Array<Candidate[] | null> = new Array<Candidate[] | null>(65536).fill(null);
  for (const literal of kept) {
    const windowStart = chooseWindow(literal, windowChars, caseInsensitive);
    for (let q = BLOCK_CHARS - 1; q < windowChars; q++) {
      const h = hash(literal.charCodeAt(windowStart + q - 1), literal.charCodeAt(windowStart + q));
      shifts[h] = Math.min(shifts[h]!, windowChars - 1 - q);
    }
    const h = hash(literal.charCodeAt(windowStart + windowChars - 2), literal.charCodeAt(windowStart + windowChars - 1));
    (candidates[h] ??= []).push({ literal, windowStart, ruleIndexes: [...rulesOf.get(literal)!] });
  }
  const occursAt = caseInsensitive ? occursFoldedAt : occursExactAt;
  return {
    mark(text: string, marks: Uint8Array): boolean {
      const n = text.length;
      let found = false;
      let i = windowChars - 1;
      while (i < n) {
        const h = hash(text.charCodeAt(i - 1), text.charCodeAt(i));
        const shift = shifts[h]!;
        if (shift !== 0) {
          i += shift;
          continue;
        }
        const windowAt = i + 1 - windowChars;
        for (const c of candidates[h]!) {
          const at = windowAt - c.windowStart;
          if (at < 0 || !occursAt(text, c.literal, at)) continue;
          for (const r of c.ruleIndexes) marks[r] = 1;
          found = true;
        }
        i++;
      }
      return found;
    },
  };
}

function hashExact(a: number, b: number): number {
  return ((a & 255) << 8) | (b & 255);
}

/** ASCII letters hash as their lower case (other characters may share a hash with them: only a comparison more). */
function hashFolded(a: number, b: number): number {
  return (((a | 32) & 255) << 8) | ((b | 32) & 255);
}

function occursExactAt(text: string, literal: string, at: number): boolean {
  return text.startsWith(literal, at);
}

/** `literal` is lower-case ASCII; a text character matches it as the `i` flag without `u` would. */
function occursFoldedAt(text: string, literal: string, at: number): boolean {
  if (at + literal.length > text.length) return false;
  for (let k = 0; k < literal.length; k++) {
    const l = literal.charCodeAt(k);
    const t = text.charCodeAt(at + k);
    if (t !== l && !(l >= 97 && l <= 122 && t === l - 32)) return false;
  }
  return true;
}

/** The window of `literal` whose last pair (what sends the scanner to compare) and other pairs are rarest. */
function chooseWindow(literal: string, windowChars: number, caseInsensitive: boolean): number {
  const pairFrequency = (k: number): number => estimateFrequency(literal[k]!, caseInsensitive) * estimateFrequency(literal[k + 1]!, caseInsensitive);
  let best = 0;
  let bestScore = Infinity;
  for (let start = 0; start + windowChars <= literal.length; start++) {
    let score = 4 * pairFrequency(start + windowChars - 2);
    for (let k = start; k + 1 < start + windowChars; k++) score += pairFrequency(k);
    if (score < bestScore) [best, bestScore] = [start, score];
  }
  return best;
}
