/**
 * Parsers for the environment variables vigia honours. Each returns the value or a message that says what
 * was expected and what was got, so a bad `.env` line is reported like a bad config line.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const got = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);

/** An integer within [min, max]. */
export function parseIntegerEnv(text: string, min: number, max: number): Parsed<number> {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return { ok: false, message: `expected an integer from ${min} to ${max}, got ${got(text)}` };
  const value = Number(trimmed);
  if (value < min || value > max) return { ok: false, message: `expected an integer from ${min} to ${max}, got ${value}` };
  return { ok: true, value };
}

/** A number of seconds > 0 (fractions allowed). */
export function parseSecondsEnv(text: string): Parsed<number> {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === "" || !Number.isFinite(value) || value <= 0) {
    return { ok: false, message: `expected a number of seconds > 0, got ${got(text)}` };
  }
  return { ok: true, value };
}

/** `1,2,4` (or `[1, 2, 4]`): a non-empty list of seconds >= 0. */
export function parseSecondsListEnv(text: string): Parsed<number[]> {
  const inner = text.trim().replace(/^\[(.*)\]$/, "$1");
  const items = inner.split(",").map((s) => s.trim());
  const values = items.map(Number);
  if (items.some((s) => s === "") || values.some((v) => !Number.isFinite(v) || v < 0)) {
    return { ok: false, message: `expected comma-separated seconds >= 0 like "1,2,4", got ${got(text)}` };
  }
  return { ok: true, value: values };
}

/** true/false, 1/0, yes/no, on/off (any case). */
export function parseBooleanEnv(text: string): Parsed<boolean> {
  const v = text.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(v)) return { ok: true, value: true };
  if (["false", "0", "no", "off"].includes(v)) return { ok: true, value: false };
  return { ok: false, message: `expected true or false, got ${got(text)}` };
}

/** An http(s) URL. */
export function parseHttpUrl(text: string): Parsed<string> {
  const trimmed = text.trim();
  try {
    const url = new URL(trimmed);
    if (url.protocol === "http:" || url.protocol === "https:") return { ok: true, value: trimmed };
  } catch {
    // fall through to the message below
  }
  return { ok: false, message: `expected an http(s) URL, got ${got(text)}` };
}
