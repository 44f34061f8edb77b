/**
 * Turns one error event into the text its template is mined from: variable parts (timestamps, quoted values,
 * paths, videos, modelos, hex ids, numbers) replaced by placeholders, so that two occurrences of one error
 * that differ only in those parts read the same.
 */

// Placeholders: <TS> <STR> <PATH> <VIDEO> <MODELO> <HEX> <NUM>, and <*> where mining merged differing tokens;
// suggest-rules turns each back into a regex (PATH, VIDEO, MODELO as captures).

const VIDEO_EXT = "(?:mp4|webm|mkv|mov|avi|m4v|ts|flv)";
const MASKS: Array<[RegExp, string | ((m: string, ...groups: string[]) => string)]> = [
  [/\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<TS>"],
  [/\b\d{2}:\d{2}:\d{2}(?:[,.]\d+)?/g, "<TS>"],
  // A quote opens and closes only next to a non-word character: the apostrophe of "Can't" quotes nothing.
  [/(?<!\w)'([^'\n]*)'(?!\w)|(?<!\w)"([^"\n]*)"(?!\w)/g, (whole, single?: string, double?: string) => maskQuoted(whole, single ?? double ?? "")],
  [new RegExp(`(?:\\.{0,2}/)?[\\w.-]+(?:/[\\w.-]+)+|/[\\w.-]+(?:/[\\w.-]+)*`, "g"), "<PATH>"],
  [new RegExp(`\\b[\\w-]+\\.${VIDEO_EXT}\\b`, "gi"), "<VIDEO>"],
  [/\b(modelos?)\s+(?!<)([\p{L}\p{N}_.-]+)/giu, (_w, word: string) => `${word} <MODELO>`],
  [/\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/g, "<HEX>"],
  [/\b\d+(?:[.,]\d+)*\b/g, "<NUM>"],
];

function maskQuoted(whole: string, inner: string): string {
  const quote = whole[0]!;
  if (new RegExp(`\\.${VIDEO_EXT}$`, "i").test(inner) || inner.includes("/")) return `${quote}<PATH>${quote}`;
  return "<STR>";
}

/** Masks the variable parts of one line. */
export function maskVariableParts(line: string): string {
  let text = line;
  for (const [pattern, replacement] of MASKS) {
    text = typeof replacement === "string" ? text.replace(pattern, replacement) : text.replace(pattern, replacement as (m: string, ...g: string[]) => string);
  }
  return text.replace(/\s+/g, " ").trim();
}

const LEVEL = /\b(?:ERROR|CRITICAL)\b/;
const TRACEBACK = /^Traceback \(most recent call last\):/m;

/** A superset of isErrorEvent in one regex (the level anywhere): lets the matching worker hand over only these. */
export const ERROR_EVENT_HINT = /\b(?:ERROR|CRITICAL)\b|^Traceback \(most recent call last\):/m;

/** True for the events discovery watches: an ERROR/CRITICAL line, or a Python traceback. */
export function isErrorEvent(text: string): boolean {
  const first = text.slice(0, text.indexOf("\n") >>> 0);
  return LEVEL.test(first) || TRACEBACK.test(text);
}

/**
 * The lines an event is known by: its first line, and for a multi-line event (a traceback) also its last
 * non-empty line, where Python names the exception. The frames in between vary with the code, not the error.
 */
export function selectSignatureLines(text: string): string[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length <= 1) return lines.slice(0, 1);
  return [lines[0]!, lines[lines.length - 1]!];
}
