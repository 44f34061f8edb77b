/**
 * Public API of the remediation stage: what the engine and the tests import (observe reads `formatBytes` and the
 * observer type from their modules).
 */

// The executor
export { createExecutor } from "./executor.js";
export type { Executor, RemediationStep, RemediationOutcome } from "./executor.js";
export type { ExecutorOptions } from "./executor-options.js";

// Retry policy
export { classifyFailure } from "./classify-failure.js";

// Safety boundary
export { createPathGuard, PathRefusedError } from "./path-guard.js";
export type { PathGuard, PathRefusalReason } from "./path-guard.js";

// Errors (all carry context; see classifyFailure for which ones give up)
export {
  InvalidSpecError,
  OwnerLookupError,
  CommandFailedError,
  ActionTimeoutError,
  NotRegularFileError,
  RemediationAbortedError,
} from "./errors.js";

// Building blocks
export { runAction } from "./run-action.js";
export { runVerify } from "./run-verify.js";
export { BYTES_PER_GB } from "./disk-space.js";
