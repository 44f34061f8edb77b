/**
 * Public API of the remediation stage. Other stages import from here only.
 */

// The executor
export { createExecutor } from "./executor.js";
export type { Executor, RemediationJob, RemediationStep, RemediationOutcome } from "./executor.js";
export { normalizeExecutorOptions, InvalidExecutorOptionError } from "./executor-options.js";
export type { ExecutorOptions, NormalizedExecutorOptions, RemediationLogger } from "./executor-options.js";

// Retry policy
export { classifyFailure } from "./classify-failure.js";
export type { FailureDecision } from "./classify-failure.js";
export { getBackoffDelayMs, DEFAULT_BACKOFF_MS } from "./backoff.js";

// Safety boundary
export { createPathGuard, PathRefusedError, isInside } from "./path-guard.js";
export type { PathGuard, GuardedPath, PathRefusalReason } from "./path-guard.js";

// Errors (all carry context; see classifyFailure for which ones give up)
export {
  InvalidSpecError,
  OwnerLookupError,
  CommandFailedError,
  ActionTimeoutError,
  NotRegularFileError,
  RemediationAbortedError,
  UnsafeArgumentError,
} from "./errors.js";

// Building blocks, for checks and tests
export { runAction } from "./run-action.js";
export type { ActionResult } from "./run-action.js";
export { runVerify } from "./run-verify.js";
export type { VerifyResult } from "./run-verify.js";
export { actionHandlers } from "./actions/registry.js";
export { verifyHandlers } from "./verify/registry.js";
export { runCommand } from "./run-command.js";
export type { CommandOutcome, RunCommandOptions } from "./run-command.js";
export { getDiskSpace, BYTES_PER_GB, formatBytes } from "./disk-space.js";
export type { DiskSpace, GetDiskSpace } from "./disk-space.js";
