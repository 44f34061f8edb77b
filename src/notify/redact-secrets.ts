import type { NotifyLogger } from "./notify-logger.js";

/**
 * Bot tokens look like `123456:AA…`; they appear in Bot API URLs (`/bot<token>/sendMessage`) and therefore in
 * network error messages (node-fetch: "request to https://…/bot<token>/sendMessage failed"). Anything the notifier
 * logs or throws goes through here first.
 */
const TOKEN_IN_URL = /bot\d+:[A-Za-z0-9_-]+/g;
const REDACTED = "<redacted>";

/** Replaces every given secret, and anything shaped like a bot token in a URL, with `<redacted>`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out.replace(TOKEN_IN_URL, `bot${REDACTED}`);
}

/** Deeply redacts the strings inside a log meta object (errors become their redacted message). */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (isErrorLike(value)) return redactSecrets(`${value.name}: ${value.message}`, secrets);
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, depth + 1);
  return out;
}

/** Errors from another realm (jest's VM, DOMException) fail `instanceof Error`; their fields are not enumerable. */
function isErrorLike(value: unknown): value is { name: string; message: string } {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

/** Wraps a logger so that no line it writes can carry one of `secrets` (defence in depth over careful callers). */
export function createRedactingLogger(logger: NotifyLogger, secrets: readonly string[]): NotifyLogger {
  const wrap =
    (level: keyof NotifyLogger) =>
    (message: string, meta?: object): void => {
      const safe = redactSecrets(message, secrets);
      if (meta === undefined) logger[level](safe);
      else logger[level](safe, redactValue(meta, secrets) as object);
    };
  return { info: wrap("info"), warn: wrap("warn"), error: wrap("error"), debug: wrap("debug") };
}

/** A one-line description of any thrown value, secrets removed (raw network errors embed the request URL). */
export function describeError(error: unknown, secrets: readonly string[]): string {
  let text: string;
  if (isErrorLike(error)) {
    text = `${error.name}: ${error.message}`;
    // grammY's HttpError wraps the fetch error in `.error`; its message says what actually failed.
    const inner = (error as { error?: unknown }).error;
    if (isErrorLike(inner) && inner.message) text += ` (${inner.message})`;
  } else {
    text = String(error);
  }
  return redactSecrets(text, secrets);
}
