/** Periodic checks: the public surface the engine and the CLI use. */

// Building checks from the config and running them.
export {
  createCheckScheduler,
  DEFAULT_CHECK_INTERVAL_MS,
  type CheckScheduler,
  type CheckSchedulerOptions,
  type CheckTransition,
  type SchedulerTimers,
} from "./check-scheduler.js";
export {
  advanceCheckState,
  createCheckState,
  DEFAULT_FLAP_POLICY,
  type CheckState,
  type CheckStatePolicy,
  type CheckStatus,
  type CheckTransitionState,
  type FlapPolicy,
} from "./check-state.js";
export { createLineActivity, type LineActivity } from "./line-activity.js";
export { runCheckOnce } from "./run-check.js";
export type { Check, CheckKind, CheckProbe, NowMs } from "./check.js";

// One factory per kind, for callers that build checks themselves.
export { createBotApiCheck, BOT_API_CHECK_DEFAULTS, type BotApiCheckSpec } from "./bot-api-check.js";
export { createDiskCheck, decideDiskLevel, DISK_CHECK_DEFAULTS, type DiskCheckSpec, type DiskSpace } from "./disk-check.js";
export { createExecCheck, EXEC_CHECK_DEFAULTS, type ExecCheckSpec } from "./exec-check.js";
export { createHttpCheck, HTTP_CHECK_DEFAULTS, type HttpCheckSpec } from "./http-check.js";
export { createProcessCheck, PROCESS_CHECK_DEFAULTS, type ProcessCheck, type ProcessCheckSpec } from "./process-check.js";
export { createSilenceCheck, SILENCE_CHECK_DEFAULTS, type SilenceCheckSpec } from "./silence-check.js";
