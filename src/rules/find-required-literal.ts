import { skipClass, splitTopLevelAlternatives } from "./split-regex-source.js";

/** Shorter literals would open the gate on most lines and save nothing. */
const MIN_GATE_LITERAL_CHARS = 3;

/**
 * The longest run of plain characters that every match of `alternative` (a regex source without
 * top-level `|`) must contain, or null. Conservative by construction: groups, classes, anchors, `.`,
 * class escapes (`\d`, `\b`…) and optional or repeated characters end a run and add nothing, so the
 * literal found is always truly required. `[Tt]imed out` gives `imed out`; `ab?c` gives `a`.
 */
export function findRequiredLiteral(alternative: string): string | null {
  let best = "";
  let run = "";
  const endRun = (): void => {
    if (run.length > best.length) best = run;
    run = "";
  };
  let i = 0;
  while (i < alternative.length) {
    const c = alternative[i]!;
    let atomIsChar: boolean;
    let atomChar: string;
    if (c === "\\") {
      const next = alternative[i + 1] ?? "";
      // Escaped punctuation is that character; escaped letters and digits are classes, assertions,
      // character codes or backreferences: all end the run, and their arguments are skipped so that
      // `\x41`, `\k<name>` or `\p{L}` never pass for the literal text `41`, `<name>`, `{L}`.
      if (next !== "" && !/[A-Za-z0-9]/.test(next)) {
        atomIsChar = true;
        atomChar = next;
        i += 2;
      } else {
        endRun();
        i = skipQuantifier(alternative, skipEscape(alternative, i));
        continue;
      }
    } else if (c === "[") {
      endRun();
      i = skipQuantifier(alternative, skipClass(alternative, i));
      continue;
    } else if (c === "(") {
      endRun();
      i = skipQuantifier(alternative, skipGroup(alternative, i));
      continue;
    } else if (c === "." || c === "^" || c === "$" || c === "|" || c === ")" || c === "]" || c === "{" || c === "}") {
      endRun();
      i = skipQuantifier(alternative, i + 1);
      continue;
    } else if (c === "*" || c === "+" || c === "?") {
      // a quantifier with nothing before it cannot compile; be safe anyway
      endRun();
      i++;
      continue;
    } else {
      atomIsChar = true;
      atomChar = c;
      i++;
    }
    if (atomIsChar) {
      const q = readQuantifier(alternative, i);
      if (q === null) {
        run += atomChar;
      } else if (q.minCount === 0) {
        // Under the `u` flag a quantifier after an astral character covers both of its UTF-16 halves.
        if (isLowSurrogate(atomChar) && isHighSurrogate(run.slice(-1))) run = run.slice(0, -1);
        endRun();
        i = q.end;
      } else {
        // required at least once, but what follows may be another repetition of it
        run += atomChar;
        endRun();
        i = q.end;
      }
    }
  }
  endRun();
  return best.length > 0 ? best : null;
}

/**
 * Required literals for each top-level alternative of `source` (see findRequiredLiteralSet), so that any match of
 * the whole regex contains at least one of them; null when some alternative has no set whose literals all have at
 * least `minChars` characters.
 */
export function listRequiredLiterals(source: string, minChars = MIN_GATE_LITERAL_CHARS): string[] | null {
  const out: string[] = [];
  for (const alternative of splitTopLevelAlternatives(source)) {
    const set = findRequiredLiteralSet(alternative, minChars);
    if (set === null) return null;
    out.push(...set);
  }
  return out;
}

/** A literal set needs no more strings than this: each one more costs the gate a little. */
const MAX_SET_STRINGS = 12;
/** Literals this long are as good as longer ones for a gate. */
const LONG_ENOUGH_CHARS = 5;

/**
 * A set of literals of which every match of `alternative` (a source without top-level `|`) contains at least one,
 * or null. Where findRequiredLiteral stops (classes, groups), this one looks further: a small class multiplies the
 * run it is in (`[Bb]ot` → `Bot`, `bot`), a required group counts through the union of its alternatives' sets
 * (`(?:down|unreachable)` → `down`, `unreachable`), and a group of plain words continues the run
 * (`(?:API|[Aa]pi) down` → `API down`, `Api down`, `api down`). Of the candidate sets found, the one kept has
 * literals of at least LONG_ENOUGH_CHARS characters if any does, then the fewest strings, then the longest
 * shortest literal.
 */
export function findRequiredLiteralSet(alternative: string, minChars = MIN_GATE_LITERAL_CHARS): string[] | null {
  return readSequence(alternative, minChars).best;
}

interface SequenceResult {
  best: string[] | null;
  /** Every text the sequence matches, when it is a small finite set of plain strings (no quantifier, no assertion). */
  exact: string[] | null;
}

function readSequence(source: string, minChars: number): SequenceResult {
  let best: string[] | null = null;
  const consider = (set: string[] | null): void => {
    if (set === null || set.length === 0 || set.some((l) => l.length < minChars)) return;
    if (best === null || compareSets(set, best) < 0) best = [...new Set(set)];
  };
  // `plain`: the run of plain characters (one string); `expanded`: the same run through small classes and exact groups.
  let plain = "";
  let expanded: string[] = [""];
  let exact = true;
  const endPlain = (): void => {
    consider([plain]);
    plain = "";
  };
  const endRuns = (): void => {
    endPlain();
    consider(expanded);
    expanded = [""];
  };
  const appendChar = (c: string): void => {
    plain += c;
    expanded = expanded.map((v) => v + c);
  };
  const multiply = (options: readonly string[]): boolean => {
    if (expanded.length * options.length > MAX_SET_STRINGS) return false;
    expanded = expanded.flatMap((v) => options.map((o) => v + o));
    return true;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\" && /[^A-Za-z0-9]/.test(source[i + 1] ?? "a")) {
      i = readChar(source[i + 1]!, i + 2);
    } else if (c === "\\") {
      exact = false;
      endRuns();
      i = skipQuantifier(source, skipEscape(source, i));
    } else if (c === "[") {
      const end = skipClass(source, i);
      const options = listClassChars(source.slice(i, end));
      const q = readQuantifier(source, end);
      if (options === null || (q !== null && q.minCount === 0)) {
        exact = false;
        endRuns();
      } else {
        endPlain();
        if (!multiply(options)) {
          exact = false;
          consider(expanded);
          expanded = [...options];
        }
        if (q !== null) {
          exact = false;
          endRuns();
        }
      }
      i = q?.end ?? end;
    } else if (c === "(") {
      const end = skipGroup(source, i);
      const q = readQuantifier(source, end);
      const body = readGroupBody(source.slice(i, end));
      if (body === null || (q !== null && q.minCount === 0)) {
        // a lookaround (zero width) or an optional group: nothing required from it
        exact = false;
        endRuns();
      } else {
        const inner = splitTopLevelAlternatives(body).map((a) => readSequence(a, minChars));
        const union = inner.every((r) => r.best !== null) ? inner.flatMap((r) => r.best!) : null;
        const words = inner.every((r) => r.exact !== null) ? inner.flatMap((r) => r.exact!) : null;
        endPlain();
        consider(union);
        if (words === null || !multiply(words)) {
          exact = false;
          consider(expanded);
          expanded = [""];
        }
        if (q !== null) {
          exact = false;
          endRuns();
        }
      }
      i = q?.end ?? end;
    } else if (c === "." || c === "^" || c === "$" || c === "|" || c === ")" || c === "]" || c === "{" || c === "}" || c === "*" || c === "+" || c === "?") {
      exact = false;
      endRuns();
      i = skipQuantifier(source, i + 1);
    } else {
      i = readChar(c, i + 1);
    }
  }
  const whole = exact ? expanded : null;
  endRuns();
  return { best, exact: whole };

  /** A plain character at `after - 1` and its quantifier; returns the index after both. */
  function readChar(char: string, after: number): number {
    const q = readQuantifier(source, after);
    if (q === null) {
      appendChar(char);
      return after;
    }
    exact = false;
    if (q.minCount === 0) {
      // Under the `u` flag a quantifier after an astral character covers both of its UTF-16 halves.
      if (isLowSurrogate(char) && isHighSurrogate(plain.slice(-1))) {
        plain = plain.slice(0, -1);
        expanded = expanded.map((v) => v.slice(0, -1));
      }
      endRuns();
    } else {
      // required at least once, but what follows may be another repetition of it
      appendChar(char);
      endRuns();
    }
    return q.end;
  }
}

/** Orders candidate sets, best first: literals long enough, then fewer strings, then a longer shortest literal. */
function compareSets(a: readonly string[], b: readonly string[]): number {
  const shortest = (s: readonly string[]): number => Math.min(...s.map((l) => l.length));
  const longEnough = (s: readonly string[]): number => (shortest(s) >= LONG_ENOUGH_CHARS ? 0 : 1);
  return longEnough(a) - longEnough(b) || a.length - b.length || shortest(b) - shortest(a);
}

/** The characters of a class like `[Cc]` or `[:\]]` (at most 4, no ranges, negation or escaped letters), or null. */
function listClassChars(cls: string): string[] | null {
  const body = cls.slice(1, -1);
  if (body === "" || body.startsWith("^")) return null;
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    let c = body[i]!;
    if (c === "\\") {
      c = body[i + 1] ?? "";
      if (c === "" || /[A-Za-z0-9]/.test(c)) return null;
      i++;
    } else if (c === "-" && i > 0 && i < body.length - 1) {
      return null;
    }
    if (isHighSurrogate(c) || isLowSurrogate(c)) return null;
    if (!chars.includes(c)) chars.push(c);
  }
  return chars.length <= 4 ? chars : null;
}

/** The body of a capturing, named or non-capturing group; null for lookarounds and other `(?` forms. */
function readGroupBody(group: string): string | null {
  if (!group.endsWith(")")) return null;
  if (!group.startsWith("(?")) return group.slice(1, -1);
  if (group.startsWith("(?:")) return group.slice(3, -1);
  const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(group);
  return named ? group.slice(named[0].length, -1) : null;
}

function isHighSurrogate(c: string): boolean {
  const code = c.charCodeAt(0);
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(c: string): boolean {
  const code = c.charCodeAt(0);
  return code >= 0xdc00 && code <= 0xdfff;
}

interface Quantifier {
  minCount: number;
  /** Index just past the quantifier (and its lazy `?`). */
  end: number;
}

function readQuantifier(source: string, i: number): Quantifier | null {
  const c = source[i];
  let minCount: number;
  let end: number;
  if (c === "*" || c === "?") {
    minCount = 0;
    end = i + 1;
  } else if (c === "+") {
    minCount = 1;
    end = i + 1;
  } else if (c === "{") {
    const m = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 24));
    if (!m) return null;
    minCount = Number(m[1]);
    end = i + m[0].length;
  } else {
    return null;
  }
  if (source[end] === "?") end++;
  return { minCount, end };
}

function skipQuantifier(source: string, i: number): number {
  return readQuantifier(source, i)?.end ?? i;
}

/** Index just past the escape (a letter or digit after the backslash) that starts at `i`. */
function skipEscape(source: string, i: number): number {
  const letter = source[i + 1] ?? "";
  const rest = source.slice(i + 2);
  let arg: RegExpExecArray | null = null;
  if (letter === "x") arg = /^[0-9A-Fa-f]{2}/.exec(rest);
  else if (letter === "u") arg = /^(?:\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{4})/.exec(rest);
  else if (letter === "c") arg = /^[A-Za-z]/.exec(rest);
  else if (letter === "k") arg = /^<[^>]*>/.exec(rest);
  else if (letter === "p" || letter === "P") arg = /^\{[^}]*\}/.exec(rest);
  else if (/[0-9]/.test(letter)) arg = /^[0-9]*/.exec(rest); // backreference or legacy octal escape
  return i + 2 + (arg?.[0].length ?? 0);
}

/** Index just past the group that starts at `i`, nested groups, classes and escapes included. */
function skipGroup(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const c = source[j];
    if (c === "\\") j++;
    else if (c === "[") j = skipClass(source, j) - 1;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j + 1;
  }
  return source.length;
}
