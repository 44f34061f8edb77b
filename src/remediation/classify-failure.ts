import { MissingFieldError } from "../util/template.js";
import { PathRefusedError } from "./path-guard.js";
import { InvalidSpecError, NotRegularFileError, OwnerLookupError, RemediationAbortedError, UnsafeArgumentError } from "./errors.js";

/** What to do after a failed attempt. */
export type FailureDecision =
  /** Wait the backoff and try again: the cause may clear (a server restarting, a file being released). */
  | "retry"
  /** Close the incident as fallido now: the same attempt would fail the same way. */
  | "give_up"
  /** Stop quietly: the job was cancelled and someone else owns the incident's state. */
  | "stop";

/**
 * The one place that decides retry vs give up, from the error's class (as grammY does for API errors).
 * Refused paths, specs that cannot work, templates naming fields the line did not capture, owners that do not
 * exist and targets that are not regular files give up at once; everything else (exit codes, timeouts, I/O
 * errors, failed verifications) is worth another attempt.
 */
export function classifyFailure(error: unknown): FailureDecision {
  if (error instanceof RemediationAbortedError) return "stop";
  if (
    error instanceof PathRefusedError ||
    error instanceof InvalidSpecError ||
    error instanceof MissingFieldError ||
    error instanceof OwnerLookupError ||
    error instanceof NotRegularFileError ||
    error instanceof UnsafeArgumentError
  ) {
    return "give_up";
  }
  return "retry";
}
