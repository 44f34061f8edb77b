import type { CompiledRule } from "../types.js";
import { listTemplateFields } from "../util/template.js";

/**
 * What splits a log line into the tokens a needle (a video name) is looked up by: anything but letters, digits and
 * `_ . -`. A needle made only of those is matched as a whole token (`x.mp4` in `…/ana/x.mp4 (18 MB)` or `x.mp4:`,
 * not inside `ax.mp4`); any other needle is checked against every line that passes the gate.
 */
export const TOKEN_SEPARATORS = /[^\p{L}\p{N}_.-]+/u;

/** Whether a needle is one whole token of the lines that name it. */
export function isToken(needle: string | null): needle is string {
  return needle !== null && needle.length > 0 && needle.split(TOKEN_SEPARATORS).length === 1;
}

/** The longest field value `resolve_on` inserts (literally, as it is regex-escaped); none for `i` rules. */
export function pickResolverNeedle(rule: CompiledRule, fields: Readonly<Record<string, string>>): string | null {
  if (rule.resolveOn === null || rule.match.flags.includes("i")) return null;
  let needle: string | null = null;
  for (const name of listTemplateFields(rule.resolveOn)) {
    const value = fields[name];
    if (value && (needle === null || value.length > needle.length)) needle = value;
  }
  return needle;
}

/**
 * What the lines that may close an incident of `rule` with these fields must name, for the matching worker's
 * forwarding: its needle when that is a whole token; ANY_LINE when every line past the rule's gate may (a needle
 * that is not a token, an `i` rule); null when no line can (no `resolve_on`, or a field it needs was not captured).
 */
export function resolverWatchKey(rule: CompiledRule, fields: Readonly<Record<string, string>>): string | null {
  if (rule.resolveOn === null) return null;
  for (const name of listTemplateFields(rule.resolveOn)) if (fields[name] === undefined) return null;
  const needle = pickResolverNeedle(rule, fields);
  return isToken(needle) ? needle : ANY_LINE;
}

/** The watch key of incidents that any line past their rule's gate may close (never a token: tokens are not empty). */
export const ANY_LINE = "";

/** ASCII characters that belong to a token (letters, digits, `_ . -`): 1, others 0. */
const ASCII_TOKEN_CHARS = Uint8Array.from({ length: 128 }, (_, c) => (/[A-Za-z0-9_.-]/.test(String.fromCharCode(c)) ? 1 : 0));
const NON_ASCII_TOKEN_CHAR = /^[\p{L}\p{N}]$/u;

/**
 * Whether `text` names one of `needles` as a whole token (split as TOKEN_SEPARATORS does; a sentence's final dot is
 * not part of the name it follows). Only tokens as long as some needle (`lengths`) are cut out and looked up: a
 * success line has one such token, its file name, so a line costs a scan of its characters and no allocation.
 */
export function namesWatchedToken(text: string, needles: ReadonlyMap<string, unknown>, lengths: ReadonlyMap<number, unknown>): boolean {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    let inToken = false;
    let width = 1;
    if (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 128) inToken = ASCII_TOKEN_CHARS[c] === 1;
      else {
        const point = text.codePointAt(i)!;
        if (point > 0xffff) width = 2;
        inToken = NON_ASCII_TOKEN_CHAR.test(String.fromCodePoint(point));
      }
    }
    if (inToken) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (namesNeedle(text, start, i, needles, lengths)) return true;
      start = -1;
    }
    i += width - 1;
  }
  return false;
}

/** Whether the token `text[start, end)`, or it without its final dots, is one of `needles`. */
function namesNeedle(text: string, start: number, end: number, needles: ReadonlyMap<string, unknown>, lengths: ReadonlyMap<number, unknown>): boolean {
  if (lengths.has(end - start) && needles.has(text.slice(start, end))) return true;
  let bare = end;
  while (bare > start && text.charCodeAt(bare - 1) === 46) bare--;
  return bare < end && bare > start && lengths.has(bare - start) && needles.has(text.slice(start, bare));
}
