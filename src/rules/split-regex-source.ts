/**
 * Small lexical helpers over a JavaScript regex source, aware of escapes and character classes.
 * They let the ReDoS check skip what cannot backtrack and look at one alternative at a time.
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

/**
 * True when the source repeats something without bound (`*`, `+`, `{n,}`) or with a large bound
 * (`{0,200}`, which backtracks like `*` on real input). Without such a quantifier the work done from each
 * start position is bounded by a small function of the pattern alone, so the search is linear in the input
 * and needs no ReDoS analysis.
 */
export function hasUnboundedQuantifier(source: string): boolean {
  let found = false;
  walkSyntax(source, (i) => {
    const c = source[i];
    if (c === "*" || c === "+") found = true;
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (m && m[2] !== undefined && (m[3] === "" || Number(m[3]) >= LARGE_REPEAT_BOUND)) found = true;
    }
  });
  return found;
}

/** Repeat bounds from here on are analysed like unbounded ones. */
const LARGE_REPEAT_BOUND = 10;

/** True when the source refers back to a group (`\1`, `\k<name>`); such a regex is analysed whole. */
export function hasBackreference(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
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
