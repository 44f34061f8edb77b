import type { TelegramRetryDecision } from "./classify-telegram-error.js";

/**
 * A Bot API call that finally failed, as a record: which method, how many attempts, the last decision and
 * Telegram's error code. The message is built from redacted text only: never the token, never the raw fetch error.
 */
export class TelegramSendError extends Error {
  constructor(
    readonly method: string,
    readonly attempts: number,
    readonly decision: TelegramRetryDecision,
    /** Telegram's `error_code`, or null for network errors. */
    readonly errorCode: number | null,
    /** Redacted one-line description of the last cause; on abort, of the last failure before it ("" when none). */
    readonly causeText: string,
    /** The caller's signal ended the call (a deadline, a shutdown) before it succeeded or failed for good. */
    readonly aborted = false,
  ) {
    super(
      aborted
        ? `telegram ${method} abandoned after ${attempts} attempt(s): ${causeText || "no answer before the abort"}`
        : `telegram ${method} failed after ${attempts} attempt(s) (${decision}): ${causeText}`,
    );
    this.name = "TelegramSendError";
  }
}
