/**
 * Secret redaction for everything vigia logs. Two nets: the exact secret strings registered at startup
 * (tokens from the config, header values), and anything shaped like a Telegram bot token, so a token that
 * shows up in a log line, a URL or an error message from a library never reaches the console or monitor.log.
 */

/** A Telegram bot token: the bot's numeric id, a colon, and a long random part. */
export const TELEGRAM_TOKEN_PATTERN = /\d{6,}:[A-Za-z0-9_-]{30,}/;
const TELEGRAM_TOKENS = new RegExp(TELEGRAM_TOKEN_PATTERN.source, "g");

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not registered: replacing `1` or `yes` everywhere would garble the log. */
export const MIN_SECRET_LENGTH = 4;

/** Deepest level of a meta object that is walked; deeper values are replaced, not logged raw. */
const MAX_DEPTH = 8;

export interface SecretRedactor {
  /** Registers a secret; returns false when it was too short to register. */
  addSecret(secret: string): boolean;
  /** The text with every registered secret and token-shaped string replaced. */
  redactText(text: string): string;
  /** A redacted copy of any value: strings redacted, arrays and plain objects walked, errors flattened. */
  redactValue(value: unknown): unknown;
}

/** Creates an independent redactor (one per logger, so tests never share registered secrets). */
export function createSecretRedactor(): SecretRedactor {
  // Longest first, so a secret that contains another is replaced whole.
  let secrets: string[] = [];

  const redactText = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(TELEGRAM_TOKENS, REDACTED);
  };

  const redactValue = (value: unknown, depth = 0, seen = new WeakSet<object>()): unknown => {
    if (typeof value === "string") return redactText(value);
    if (value === null || typeof value !== "object") return value;
    if (seen.has(value)) return "[circular]";
    if (depth >= MAX_DEPTH) return "[too deep]";
    seen.add(value);
    if (value instanceof Error) {
      const flat: Record<string, unknown> = { name: value.name, message: redactText(value.message) };
      if (value.stack) flat.stack = redactText(value.stack);
      for (const [k, v] of Object.entries(value)) flat[k] = redactValue(v, depth + 1, seen);
      return flat;
    }
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      // Dates, Buffers, class instances: logged by their string form, which is redacted too.
      return redactText(value instanceof Date ? value.toISOString() : String(value));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1, seen);
    return out;
  };

  return {
    addSecret(secret: string): boolean {
      if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return false;
      if (!secrets.includes(secret)) secrets = [...secrets, secret].sort((a, b) => b.length - a.length);
      return true;
    },
    redactText,
    redactValue: (value) => redactValue(value),
  };
}
