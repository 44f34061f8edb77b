import { splitTopLevelAlternatives } from "./split-regex-source.js";

/** Shorter literals would open the gate on most lines and save nothing. */
export const MIN_GATE_LITERAL_CHARS = 3;

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
 * One required literal per top-level alternative of `source`, so that any match of the whole regex
 * contains at least one of them; null when some alternative has none of at least `minChars` characters.
 */
export function listRequiredLiterals(source: string, minChars = MIN_GATE_LITERAL_CHARS): string[] | null {
  const out: string[] = [];
  for (const alternative of splitTopLevelAlternatives(source)) {
    const literal = findRequiredLiteral(alternative);
    if (literal === null || literal.length < minChars) return null;
    out.push(literal);
  }
  return out;
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

/** Index just past the class that starts at `i`. */
function skipClass(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === "]") return j + 1;
  }
  return source.length;
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
