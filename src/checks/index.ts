/** Periodic checks: the public surface the engine and the CLI use. */

// Building checks from the config and running them.
export { createCheckScheduler, type CheckScheduler, type CheckTransition } from "./check-scheduler.js";
export { createLineActivity, type LineActivity } from "./line-activity.js";
export type { Check } from "./check.js";

// One factory per kind, for callers that build checks themselves.
export { createBotApiCheck, BOT_API_ERROR_TYPE } from "./bot-api-check.js";
export { createDiskCheck, DISK_ERROR_TYPE } from "./disk-check.js";
export { createExecCheck } from "./exec-check.js";
export { createHttpCheck } from "./http-check.js";
export { createProcessCheck, type ProcessCheck } from "./process-check.js";
export { createSilenceCheck } from "./silence-check.js";
