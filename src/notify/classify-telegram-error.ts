import { GrammyError, HttpError } from "grammy";

/**
 * What to do after a failed Bot API call, decided in one place from the error's class: back off and try again, or
 * give up. A 429 with `retry_after` reaches this only after `@grammyjs/auto-retry` waited as long as we allow.
 */
export type TelegramRetryDecision = "backoff" | "give_up";

/**
 * Classifies a thrown error: 5xx, network and timeouts (`HttpError`), and a 429 without `retry_after` → backoff;
 * a 429 with `retry_after` (auto-retry already honoured it, or it asks for longer than we wait) and the rest → give_up.
 */
export function classifyTelegramError(error: unknown): TelegramRetryDecision {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) return typeof error.parameters.retry_after === "number" ? "give_up" : "backoff";
    if (error.error_code >= 500) return "backoff";
    return "give_up"; // 400 bad request, 401 bad token, 403 blocked by the user: retrying cannot help
  }
  if (error instanceof HttpError) return "backoff";
  return "give_up";
}


/** True when the call never reached a Bot API server (refused, reset, DNS, timeout): the case for the cloud fallback. */
export function isUnreachableError(error: unknown): boolean {
  return error instanceof HttpError;
}

/** True for editMessageText's "message is not modified": the message already shows this text, nothing to do. */
export function isNotModifiedError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}
