import { GrammyError, HttpError } from "grammy";

/**
 * What to do after a failed Bot API call, decided in one place from the error's class (as grammY's own
 * auto-retry does): wait the `retry_after` Telegram asked for, back off exponentially, or give up.
 */
export type TelegramRetryDecision = "retry_after" | "backoff" | "give_up";

/** Classifies a thrown error: 429 → retry_after; 5xx, network and timeouts (`HttpError`) → backoff; the rest → give_up. */
export function classifyTelegramError(error: unknown): TelegramRetryDecision {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) return typeof error.parameters.retry_after === "number" ? "retry_after" : "backoff";
    if (error.error_code >= 500) return "backoff";
    return "give_up"; // 400 bad request, 401 bad token, 403 blocked by the user: retrying cannot help
  }
  if (error instanceof HttpError) return "backoff";
  return "give_up";
}

/** Seconds Telegram asked us to wait, when the error carries them. */
export function getRetryAfterSeconds(error: unknown): number | null {
  if (error instanceof GrammyError && typeof error.parameters.retry_after === "number") return error.parameters.retry_after;
  return null;
}

/** True when the call never reached a Bot API server (refused, reset, DNS, timeout): the case for the cloud fallback. */
export function isUnreachableError(error: unknown): boolean {
  return error instanceof HttpError;
}

/** True for editMessageText's "message is not modified": the message already shows this text, nothing to do. */
export function isNotModifiedError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}
