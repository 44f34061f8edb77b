/**
 * Small lexical helpers over a JavaScript regex source, aware of escapes and character classes.
 * They let the ReDoS check look at one alternative at a time and see through nested bounded repetition.
 */

/** Walks the source, calling `visit(i, depth)` for each character outside classes that is not escaped. */
function walkSyntax(source: string, visit: (i: number, depth: number) => void): void {
  let inClass = false;
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else {
      if (c === ")") depth--;
      visit(i, depth);
      if (c === "(") depth++;
    }
  }
}

/** The top-level alternatives of a source (`a|(b|c)|d` → `a`, `(b|c)`, `d`). */
export function splitTopLevelAlternatives(source: string): string[] {
  const cuts: number[] = [];
  walkSyntax(source, (i, depth) => {
    if (depth === 0 && source[i] === "|") cuts.push(i);
  });
  const out: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(source.slice(start, cut));
    start = cut + 1;
  }
  out.push(source.slice(start));
  return out;
}

/** A group being read by `widenNestedBounds`. */
interface GroupFrame {
  /** Some quantifier applies inside the group. */
  repeats: boolean;
  /** Positions of the bounded quantifiers (`{2}`, `{1,9}`) inside the group, at any depth. */
  bounded: Array<{ start: number; end: number; min: string }>;
}

/**
 * Rewrites nested bounded repetition as unbounded: `(?:(?:a?){9}){9}` → `(?:(?:a?){9,}){9,}`. A checker that
 * reasons about growing input calls a bounded regex linear, and it is, but with a constant that nesting
 * multiplies: each level repeats every way the level inside can split its text, so nine nines already make
 * billions of steps on an 11-byte line. The widened regex backtracks exactly where the bounded one does,
 * only without the ceiling, so its verdict is the one that matters. A bounded quantifier that neither holds
 * nor sits inside another quantifier multiplies nothing and is kept.
 */
export function widenNestedBounds(source: string): string {
  const stack: GroupFrame[] = [{ repeats: false, bounded: [] }];
  const widen: Array<{ start: number; end: number; min: string }> = [];
  /** The group that ended just before `i`, if the last atom was a group. */
  let lastGroup: GroupFrame | null = null;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    const quantifier = readQuantifier(source, i);
    if (quantifier) {
      const bounded = quantifier.max !== null && quantifier.max >= 2 ? { start: i, end: quantifier.boundsEnd, min: quantifier.min } : null;
      if (lastGroup?.repeats) {
        widen.push(...lastGroup.bounded);
        if (bounded) widen.push(bounded);
      }
      top.repeats = true;
      if (bounded) top.bounded.push(bounded);
      i = quantifier.end;
      lastGroup = null;
      continue;
    }
    lastGroup = null;
    if (c === "\\") {
      i += 2;
    } else if (c === "[") {
      i = skipClass(source, i);
    } else if (c === "(") {
      stack.push({ repeats: false, bounded: [] });
      i = skipGroupPrefix(source, i + 1);
    } else if (c === ")" && stack.length > 1) {
      const done = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= done.repeats;
      parent.bounded.push(...done.bounded);
      lastGroup = done;
      i++;
    } else {
      i++;
    }
  }
  if (widen.length === 0) return source;
  const cuts = [...new Map(widen.map((w) => [w.start, w])).values()].sort((a, b) => a.start - b.start);
  let out = "";
  let from = 0;
  for (const cut of cuts) {
    out += `${source.slice(from, cut.start)}{${cut.min},}`;
    from = cut.end;
  }
  return out + source.slice(from);
}

/**
 * A quantifier starting at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy), or null; `boundsEnd`
 * is past its bounds, `end` past its lazy mark.
 */
function readQuantifier(source: string, i: number): { min: string; max: number | null; boundsEnd: number; end: number } | null {
  const c = source[i];
  let min = "0";
  let max: number | null;
  let end: number;
  if (c === "*" || c === "+" || c === "?") {
    max = c === "?" ? 1 : null;
    end = i + 1;
  } else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
    if (!m) return null;
    min = m[1]!;
    max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? null : Number(m[3]);
    end = i + m[0].length;
  } else {
    return null;
  }
  const boundsEnd = end;
  if (source[end] === "?") end++;
  return { min, max, boundsEnd, end };
}

/** Index just past the character class that opens at `i`. */
export function skipClass(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === "]") return j + 1;
  }
  return source.length;
}

/** Index of a group's first pattern character, past `?:`, `?=`, `?!`, `?<=`, `?<!` or `?<name>`. */
function skipGroupPrefix(source: string, i: number): number {
  if (source[i] !== "?") return i;
  const next = source[i + 1];
  if (next === "<" && source[i + 2] !== "=" && source[i + 2] !== "!") {
    const close = source.indexOf(">", i + 2);
    return close < 0 ? source.length : close + 1;
  }
  return next === "<" ? i + 3 : i + 2;
}

/** True when the source refers back to a group (`\1`, `\k<name>`); such a regex is analysed whole. */
export function hasBackreference(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      // Inside a class `\1` is an octal escape, never a backreference.
      if (!inClass && (next === "k" || (next >= "1" && next <= "9"))) return true;
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    }
  }
  return false;
}
