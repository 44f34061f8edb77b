/**
 * The one place that decides what a secret looks like and how it is masked, for every surface: lines read from
 * sources (masked before matching, so the journal, report, alerts, webhook and dashboard never hold one), vigia's
 * own log, and the notifier's errors. Two nets: the exact secret strings of the config (bot tokens, header values,
 * webhook URL), and text shaped like a credential whoever it belongs to (another bot's token, a Bearer header,
 * a password in a URL).
 *
 * This runs on every line read, so the common case (a line with no secret) must cost a few `indexOf` calls:
 * each shape has a literal that any match must contain, checked before its regex runs.
 */

/** What a secret is replaced with: language-neutral, as it lands both in Spanish (journal) and English (monitor.log) text. */
export const SECRET_MASK = "***";

/** Secrets shorter than this are not masked: replacing `1` or `yes` everywhere would garble the text. */
const MIN_SECRET_LENGTH = 4;

/** A Telegram bot token: the bot's numeric id, a colon, and a long random part (35 characters in practice). */
export const TELEGRAM_TOKEN_PATTERN = /\d{6,}:[A-Za-z0-9_-]{30,}/;

/** Names whose `=` value is a credential (in a query string or key=value text), lower case. */
const CREDENTIAL_NAMES = new Set([
  "password", "passwd", "pwd", "pass", "token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "key",
  "secret", "client_secret", "auth", "signature", "sig",
]);
const LONGEST_CREDENTIAL_NAME = 13;

/**
 * Credential shapes, each behind a literal test that any match must pass (most lines pass none, and then those
 * tests are all the masking costs: a few `indexOf`, measured cheaper here than one regex over the same literals).
 * Group 1 of each pattern is a prefix that is kept, so the text still says what was there (`/bot***`,
 * `password=***`, `Bearer ***`). A `name=` is only taken as a credential for the names above, so a video named
 * `password_reset.mp4` or a folder `modelos/token/` stays as it is.
 */
/** The colon of a token, also percent-encoded: urllib3 logs a file download's URL as `/file/bot<id>%3A<secret>/…`. */
const TOKEN_COLON = "(?::|%3[Aa])";
const BOT_TOKEN_PATH = new RegExp(`(\\/bot)\\d+${TOKEN_COLON}[A-Za-z0-9_-]+`, "g");
const BARE_TOKEN = new RegExp(`()${TELEGRAM_TOKEN_PATTERN.source.replace(":", TOKEN_COLON)}`, "g");
const AUTHORIZATION_HEADER = /((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|bot)\s+)?)[^\s"',;]+/gi;
const BEARER_CREDENTIAL = /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const URL_PASSWORD = /(\/\/[^\s/:@]*:)[^\s/@]+(?=@)/g;
const CREDENTIAL_ASSIGNMENT = new RegExp(`((?<![A-Za-z0-9_])(?:${[...CREDENTIAL_NAMES].join("|")})=)[^\\s&#,;"']+`, "gi");

/** Masks every credential-shaped string of `text`; returns `text` itself when there is none. */
function maskCredentialShapes(text: string): string {
  if (!mayHoldCredential(text)) return text;
  let out = text;
  for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, keepPrefix);
  return out;
}

const CREDENTIAL_SHAPES = [BOT_TOKEN_PATH, BARE_TOKEN, AUTHORIZATION_HEADER, BEARER_CREDENTIAL, URL_PASSWORD, CREDENTIAL_ASSIGNMENT];

function keepPrefix(_match: string, prefix: string): string {
  return `${prefix}${SECRET_MASK}`;
}

/** The words the header and Bearer shapes need: one case-blind regex scans faster than four `indexOf` here. */
const HEADER_WORDS = /earer|uthoriz/i;

/**
 * Whether `text` has a place where a credential shape may be: a digit after `/bot`, six digits before `:` (or `%3`),
 * a credential name before `=`, `@`, a Bearer or Authorization word. Only `indexOf` and a few character reads:
 * most lines have none of these, and then this is all the masking costs them.
 */
function mayHoldCredential(text: string): boolean {
  for (let at = text.indexOf("/bot"); at !== -1; at = text.indexOf("/bot", at + 4)) {
    if (isDigit(text.charCodeAt(at + 4))) return true;
  }
  for (let colon = text.indexOf(":", 6); colon !== -1; colon = text.indexOf(":", colon + 1)) {
    if (isDigit(text.charCodeAt(colon - 1)) && countDigitsBefore(text, colon, 6) === 6) return true;
  }
  for (let pct = text.indexOf("%3", 6); pct !== -1; pct = text.indexOf("%3", pct + 1)) {
    if (isDigit(text.charCodeAt(pct - 1)) && countDigitsBefore(text, pct, 6) === 6) return true;
  }
  for (let eq = text.indexOf("="); eq !== -1; eq = text.indexOf("=", eq + 1)) {
    if (hasCredentialNameBefore(text, eq)) return true;
  }
  if (text.indexOf("@") !== -1) return true;
  return HEADER_WORDS.test(text);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Digits right before `end`, counting up to `max`. */
function countDigitsBefore(text: string, end: number, max: number): number {
  let digits = 0;
  for (let i = end - 1; i >= 0 && digits < max && isDigit(text.charCodeAt(i)); i--) digits++;
  return digits;
}

/** Whether the word before the `=` at `eq` is a credential name (`token=`, `password=`). */
function hasCredentialNameBefore(text: string, eq: number): boolean {
  let start = eq;
  while (start > 0 && eq - start <= LONGEST_CREDENTIAL_NAME && isNameChar(text.charCodeAt(start - 1))) start--;
  return start < eq && CREDENTIAL_NAMES.has(text.slice(start, eq).toLowerCase());
}

/** Letters, digits and `_`: what a parameter name is made of. */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;
}

/** A secret to mask, with the part of it searched first (see `pickSearchProbe`). */
interface KnownSecret {
  text: string;
  probe: string;
}

/** The usable secrets of a list, longest first (a secret that contains another goes whole). */
function prepareSecrets(secrets: readonly string[]): KnownSecret[] {
  const usable = [...new Set(secrets)].filter((s) => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
  return usable.sort((a, b) => b.length - a.length).map((text) => ({ text, probe: pickSearchProbe(text) }));
}

/**
 * What to search for a secret: 8 characters starting at its first character that is rare in log text (not a
 * lowercase letter, digit, space or common punctuation). `indexOf` finds candidates by their first character,
 * so `ABCDEF_s` is found in a fraction of the time `123456:ABCDEF_secret` takes in lines full of timestamps.
 */
function pickSearchProbe(secret: string): string {
  const at = secret.search(/[^a-z0-9 :/.,-]/);
  return at === -1 ? secret : secret.slice(at, at + 8);
}

/**
 * `text` with each of `secrets` and every credential-shaped string replaced by SECRET_MASK; `text` itself when
 * nothing was found. For repeated use with the same secrets, `createSecretMasker` prepares them once.
 */
export function maskSecretsInText(text: string, secrets: readonly string[]): string {
  return maskWithKnownSecrets(text, prepareSecrets(secrets));
}

function maskWithKnownSecrets(text: string, secrets: readonly KnownSecret[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.indexOf(secret.probe) !== -1 && out.indexOf(secret.text) !== -1) out = out.replaceAll(secret.text, SECRET_MASK);
  }
  return maskCredentialShapes(out);
}

/** Deepest level of an object that is walked; deeper values are replaced, not kept raw. */
const MAX_DEPTH = 8;

/**
 * A masked copy of any value: strings masked, arrays and plain objects walked, errors flattened to
 * `{name, message, stack, …}`, other objects (Dates, Buffers, class instances) by their string form.
 * The caller's objects are never modified.
 */
function maskSecretsInValue(value: unknown, maskText: (text: string) => string): unknown {
  const walk = (v: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof v === "string") return maskText(v);
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return "[circular]";
    if (depth >= MAX_DEPTH) return "[too deep]";
    seen.add(v);
    if (isErrorLike(v)) {
      const flat: Record<string, unknown> = { name: v.name, message: maskText(v.message) };
      if (v.stack) flat.stack = maskText(v.stack);
      for (const [k, item] of Object.entries(v)) flat[k] = walk(item, depth + 1, seen);
      return flat;
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1, seen));
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return maskText(v instanceof Date ? v.toISOString() : String(v));
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) out[k] = walk(item, depth + 1, seen);
    return out;
  };
  return walk(value, 0, new WeakSet());
}

/** Errors from another realm (jest's VM, DOMException) fail `instanceof Error`; their fields are not enumerable. */
function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

/** A set of known secrets, growing at runtime, with the two masking functions bound to it. */
export interface SecretMasker {
  /** Registers a secret; returns false when it was too short to register. */
  addSecret(secret: string): boolean;
  /** The text with every registered secret and credential-shaped string replaced (the same string when clean). */
  maskText(text: string): string;
  /** A masked copy of any value (see `maskSecretsInValue`). */
  maskValue(value: unknown): unknown;
}

/** Creates an independent masker (one per logger or pipeline, so tests never share registered secrets). */
export function createSecretMasker(initial: Iterable<string> = []): SecretMasker {
  let texts: string[] = [];
  let secrets: KnownSecret[] = [];
  const addSecret = (secret: string): boolean => {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return false;
    if (!texts.includes(secret)) {
      texts = [...texts, secret];
      secrets = prepareSecrets(texts);
    }
    return true;
  };
  for (const secret of initial) addSecret(secret);
  const maskText = (text: string): string => maskWithKnownSecrets(text, secrets);
  return {
    addSecret,
    maskText,
    maskValue: (value) => maskSecretsInValue(value, maskText),
  };
}
