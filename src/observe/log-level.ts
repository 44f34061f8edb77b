/** vigia's log levels, most severe first (winston's npm levels without `http` and `silly`): `log_level`, `--log-level`. */
export const LOG_LEVELS = ["error", "warn", "info", "verbose", "debug"] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
