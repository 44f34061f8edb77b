/**
 * Every default of the config, in one place and in the shape a user writes (snake_case, seconds, paths
 * relative to the config's folder). The schema's descriptions and the normalizer both read from here, and the
 * stages built without a value (checks, executor, notifier, grouper) read the `…_MS` shapes derived at the end
 * of this file, so a default changes in exactly one line (test/config/defaults-agree.test.ts holds them together).
 */

/** The Python `logging` timestamp that starts a new event; traceback lines lack it and join the event above. */
export const PYTHON_LOG_START = "^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}";

/** Defaults of one `sources[]` item. */
export const SOURCE_DEFAULTS = {
  /** A line over this is cut (and the cut counted): memory stays bounded on a 100 MB line. */
  max_line_bytes: 65_536,
  /** First sight of a file: start at its end, like `tail -f` (`--from-start` reads existing content). */
  start_at: "end" as const,
};

/** Defaults of `sources[].multiline`. */
export const MULTILINE_DEFAULTS = {
  /**
   * Idle time after which a pending event (a traceback) is emitted without waiting for the next start line. 500:
   * a write split across reads reaches us within one stat check (250 ms) where no folder watcher sees it, so 500
   * leaves twice that margin and keeps detection well under a second (see `MultilineOptions.flushIdleMs`).
   */
  flush_ms: 500,
};

/** The sources followed when the config has no `sources` key: the bot and the backend. */
export const DEFAULT_SOURCES = [
  { name: "bot", path: "logs/bot_central.log", multiline: { start: PYTHON_LOG_START } },
  { name: "backend", path: "logs/backend.log", multiline: { start: PYTHON_LOG_START } },
];

export const DEFAULTS = {
  rules: "rules",
  journal: "logs/descarga_errors.json",
  journal_archive: {
    /** Closed incidents stay in the live journal this many days after they closed, then move to a monthly archive. */
    keep_days: 30,
    /** Past this size the live journal moves its oldest closed incidents to the archives (about half of it). */
    max_bytes: 8 * 1024 * 1024,
  },
  state_dir: "logs/.vigia",
  log_dir: "logs",
  log_level: "info" as const,
  /** Longest one event may spend in the rules (ms) before the rule at fault is disabled. */
  match_budget_ms: 1000,
  remediation: {
    allowed_roots: ["modelos"],
    max_retries: 3,
    backoff: [1, 2, 4],
    action_timeout: 30,
    concurrency: 4,
    owner: null,
    sudo: false,
    quarantine_dir: null,
    dry_run: false,
    max_reopen: 3,
  },
  notify: {
    max_per_minute: 20,
    new_error_after: 5,
    new_error_within: 600,
    heartbeat_every: 60,
    /**
     * A pipeline stage holding work without handing any on for this long is stuck (the heartbeat stops); with a
     * heartbeat, at least two of its intervals, so a burst read across a beat is never taken for a stall.
     */
    heartbeat_stuck_after: 30,
    email_port: 587,
  },
  checks: {
    interval: 30,
    disk: { paths: ["."], warn_gb: 5, critical_gb: 2, timeout: 10, stop_supervised: true },
    /** Five changes in ten minutes: at the default 30 s cycle and threshold 2, a service down and up every 2 min. */
    flap: { count: 5, within: 600 },
    history_days: 7,
  },
  status: { listen: "127.0.0.1:9464" },
};

/** Defaults of `checks.bot_api` (the check itself is on only when configured or USE_LOCAL_BOT_API=true). */
export const BOT_API_DEFAULTS = {
  url: "http://localhost:8081",
  attempts: 3,
  every: 10,
  timeout: 5,
};

/** Defaults of one `checks.http[]` item. */
export const HTTP_CHECK_DEFAULTS = {
  method: "GET",
  timeout: 5,
  failure_threshold: 2,
};

/** Defaults of one `checks.process[]` item. */
export const PROCESS_CHECK_DEFAULTS = {
  max_restarts: 3,
  restart_window: 600,
  timeout: 5,
};

/** Defaults of one `checks.exec[]` item. */
export const EXEC_CHECK_DEFAULTS = {
  timeout: 30,
};

/** Defaults of one `supervise[]` item (`log` defaults to `<log_dir>/<name>.log`, `cwd` to the config's folder). */
export const SUPERVISE_DEFAULTS = {
  restart: "on-failure" as const,
  max_restarts: 3,
  restart_backoff: [1, 2, 4],
};

/** Seconds as a user writes them → the milliseconds the program counts in: the one conversion of a duration. */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/**
 * The check defaults above in the checks' own shape (camelCase, milliseconds): what a check built without a value
 * uses. Derived here, never written a second time, so the schema's docs, the loaded config and the checks agree.
 */
export const CHECK_DEFAULTS_MS = {
  intervalMs: secondsToMs(DEFAULTS.checks.interval),
  flap: { count: DEFAULTS.checks.flap.count, withinMs: secondsToMs(DEFAULTS.checks.flap.within) },
  disk: {
    warnGb: DEFAULTS.checks.disk.warn_gb,
    criticalGb: DEFAULTS.checks.disk.critical_gb,
    timeoutMs: secondsToMs(DEFAULTS.checks.disk.timeout),
  },
  botApi: {
    url: BOT_API_DEFAULTS.url,
    attempts: BOT_API_DEFAULTS.attempts,
    everyMs: secondsToMs(BOT_API_DEFAULTS.every),
    timeoutMs: secondsToMs(BOT_API_DEFAULTS.timeout),
  },
  http: {
    method: HTTP_CHECK_DEFAULTS.method,
    timeoutMs: secondsToMs(HTTP_CHECK_DEFAULTS.timeout),
    failureThreshold: HTTP_CHECK_DEFAULTS.failure_threshold,
  },
  process: {
    maxRestarts: PROCESS_CHECK_DEFAULTS.max_restarts,
    restartWindowMs: secondsToMs(PROCESS_CHECK_DEFAULTS.restart_window),
    timeoutMs: secondsToMs(PROCESS_CHECK_DEFAULTS.timeout),
  },
  exec: { timeoutMs: secondsToMs(EXEC_CHECK_DEFAULTS.timeout) },
};

/** The `remediation` defaults in the executor's shape (camelCase, milliseconds), derived like the checks' above. */
export const REMEDIATION_DEFAULTS_MS = {
  actionTimeoutMs: secondsToMs(DEFAULTS.remediation.action_timeout),
  concurrency: DEFAULTS.remediation.concurrency,
  maxRetries: DEFAULTS.remediation.max_retries,
  backoffMs: DEFAULTS.remediation.backoff.map(secondsToMs),
};
