/**
 * Config types in two shapes:
 * - `Raw…`: what a user writes (snake_case keys, seconds, relative paths), validated by `config-schema.ts`;
 * - `VigiaConfig`: what the program uses (camelCase, absolute paths, milliseconds, compiled regexes),
 *   produced from the raw shape in one place (`normalize-config.ts`).
 */

import type { Severity } from "../types.js";
import type { LogLevel } from "../observe/log-level.js";

type RestartPolicy = "never" | "on-failure" | "always";
type StartAt = "end" | "beginning";

// ───────────────────────────── raw (as written in vigia.config.yaml) ─────────────────────────────

interface RawMultiline {
  start?: string;
  flush_ms?: number;
}

export interface RawSource {
  name: string;
  path: string;
  multiline?: RawMultiline | null;
  max_line_bytes?: number;
  start_at?: StartAt;
}

interface RawRemediation {
  allowed_roots?: string[];
  max_retries?: number;
  backoff?: number[];
  action_timeout?: number;
  concurrency?: number;
  owner?: string | null;
  sudo?: boolean;
  quarantine_dir?: string | null;
  dry_run?: boolean;
  max_reopen?: number;
}

interface RawTelegram {
  token?: string;
  chat_id?: string | number;
  api_root?: string | null;
  commands_token?: string | null;
}

interface RawWebhook {
  url: string;
  headers?: Record<string, string>;
}

export interface RawEmail {
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string | null;
  password?: string | null;
  from?: string;
  to?: string | string[];
}

export interface RawHeartbeat {
  url?: string;
  every?: number;
  stuck_after?: number;
  method?: "GET" | "POST";
}

export interface RawNotify {
  telegram?: RawTelegram | null;
  webhook?: RawWebhook | null;
  email?: RawEmail | null;
  heartbeat?: RawHeartbeat | null;
  max_per_minute?: number;
  new_error_after?: number;
  new_error_within?: number;
}

interface RawDiskCheck {
  paths?: string[];
  warn_gb?: number;
  critical_gb?: number;
  timeout?: number;
  stop_supervised?: boolean;
}

interface RawBotApiCheck {
  enabled?: boolean;
  url?: string;
  health_url?: string;
  attempts?: number;
  every?: number;
  timeout?: number;
}

interface RawHttpCheck {
  name: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  timeout?: number;
  expect_status?: number | number[];
  expect_json?: Record<string, unknown>;
  failure_threshold?: number;
}

interface RawProcessCheck {
  name: string;
  pidfile?: string;
  pattern?: string;
  restart?: string[];
  restart_log?: string;
  restart_cwd?: string;
  max_restarts?: number;
  restart_window?: number;
  timeout?: number;
}

interface RawSilenceCheck {
  source: string;
  max_quiet: number;
  process?: string;
}

interface RawExecCheck {
  name: string;
  command: string[];
  timeout?: number;
  expect_output?: string;
  error_type?: string;
  severity?: Severity;
}

interface RawFlap {
  count?: number;
  within?: number;
}

interface RawChecks {
  interval?: number;
  disk?: RawDiskCheck | null;
  bot_api?: RawBotApiCheck | null;
  http?: RawHttpCheck[];
  process?: RawProcessCheck[];
  silence?: RawSilenceCheck[];
  exec?: RawExecCheck[];
  flap?: RawFlap | null;
  history_days?: number;
}

interface RawSupervise {
  name: string;
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  log?: string;
  restart?: RestartPolicy;
  max_restarts?: number;
  restart_backoff?: number[];
}

interface RawStatus {
  listen?: string | number | null;
  token?: string | null;
}

export interface RawConfig {
  sources?: RawSource[];
  rules?: string | string[];
  journal?: string;
  journal_archive?: RawJournalArchive;
  state_dir?: string;
  log_dir?: string;
  log_level?: LogLevel;
  match_budget_ms?: number;
  remediation?: RawRemediation;
  notify?: RawNotify;
  checks?: RawChecks;
  supervise?: RawSupervise[];
  status?: RawStatus | null;
  tailing?: RawTailing;
}

interface RawJournalArchive {
  keep_days?: number;
  max_bytes?: number | null;
}

interface RawTailing {
  max_open_files?: number | null;
}

// ───────────────────────────── runtime (what the stages receive) ─────────────────────────────

export interface SourceConfig {
  /** Becomes the event's `fuente`. */
  name: string;
  /** Absolute path of the followed file (may not exist yet). */
  path: string;
  /** null = every line is its own event. */
  multiline: { start: RegExp; flushIdleMs: number } | null;
  maxLineBytes: number;
  /** Where to start on a file seen for the first time (no checkpoint). */
  startAt: StartAt;
}

export interface RemediationConfig {
  /** Absolute; file actions only inside these. Empty = file actions always refused. */
  allowedRoots: string[];
  maxRetries: number;
  /** Delay before attempt k+1 is backoffMs[k-1]; the last one repeats. */
  backoffMs: number[];
  actionTimeoutMs: number;
  concurrency: number;
  /** `user[:group]` or `uid[:gid]`; null = the owner of the allowed root containing the path. */
  owner: string | null;
  sudo: boolean;
  /** Absolute; null = cleanup deletes. */
  quarantineDir: string | null;
  dryRun: boolean;
  maxReopen: number;
}

export interface TelegramConfig {
  token: string;
  chatId: string;
  /** Local Bot API server or test server; null = the cloud API. */
  apiRoot: string | null;
  /**
   * True only when `apiRoot` is the local Bot API implied by USE_LOCAL_BOT_API (no `api_root` written): the cloud
   * API stands in while it is unreachable. A written `api_root` is never replaced.
   */
  fallbackToCloud: boolean;
  /** Separate bot token for the optional admin command mode; null = send-only. */
  commandsToken: string | null;
}

interface WebhookConfig {
  url: string;
  headers: Record<string, string>;
}

/** `notify.email`, resolved (environment defaults applied). */
export interface EmailConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  /** Login; null = no authentication. */
  user: string | null;
  /** Secret: never logged. */
  password: string | null;
  from: string;
  to: string[];
}

export interface HeartbeatConfig {
  url: string;
  everyMs: number;
  /** A pipeline stage holding work without progress this long is stuck: calls stop, /health says where. */
  stuckAfterMs: number;
  method: "GET" | "POST";
}

export interface NotifyConfig {
  /** null = Telegram off (no token). */
  telegram: TelegramConfig | null;
  webhook: WebhookConfig | null;
  /** null = no email. */
  email: EmailConfig | null;
  /** null = no heartbeat. */
  heartbeat: HeartbeatConfig | null;
  maxPerMinute: number;
  /** Occurrences of an unclaimed error template, within `newErrorWithinMs`, that send its one alert. */
  newErrorAfter: number;
  newErrorWithinMs: number;
}

interface DiskCheckConfig {
  /** Absolute paths whose filesystems are checked. */
  paths: string[];
  warnGb: number;
  criticalGb: number;
  /** How long one free-space query may take. */
  timeoutMs: number;
  /** `vigia supervise` stops its commands while a disk is critical and starts them again when space is back. */
  stopSupervised: boolean;
}

interface BotApiCheckConfig {
  url: string;
  /** When set, up = 2xx/3xx from it; else up = any answer below 500 from `url`. */
  healthUrl: string | null;
  /** Consecutive failures before the incident opens. */
  attempts: number;
  everyMs: number;
  timeoutMs: number;
}

interface HttpCheckConfig {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** null = any 2xx. */
  expectStatus: number[] | null;
  /** Subset the JSON body must contain; null = body not checked. */
  expectJson: Record<string, unknown> | null;
  failureThreshold: number;
}

interface ProcessCheckConfig {
  name: string;
  /** Absolute; exactly one of pidfile and pattern is set. */
  pidfile: string | null;
  /** Matched against a process's full command line (like `pgrep -f`). */
  pattern: RegExp | null;
  /** argv started detached by the check when the process is gone; null = alert only. */
  restart: string[] | null;
  /** Absolute: where the restarted process's stdout/stderr are appended. */
  restartLogPath: string;
  /** Absolute: the restarted process's working folder. */
  restartCwd: string;
  maxRestarts: number;
  restartWindowMs: number;
  /** How long one liveness probe may take. */
  timeoutMs: number;
}

interface SilenceCheckConfig {
  source: string;
  maxQuietMs: number;
  /** Process check whose liveness gates the alert; null = the process check named like the source, if any. */
  process: string | null;
}

interface ExecCheckConfig {
  name: string;
  command: string[];
  timeoutMs: number;
  /** stdout must match (e.g. `^true` for `docker inspect -f {{.State.Running}}`); null = exit 0 is enough. */
  expectOutput: RegExp | null;
  /** Rule id of the incident on failure; null = the check's default (`comando_fallido`). */
  errorType: string | null;
  /** null = the check's default. */
  severity: Severity | null;
}

export interface ChecksConfig {
  intervalMs: number;
  disk: DiskCheckConfig | null;
  /** On when configured or USE_LOCAL_BOT_API=true; off when USE_LOCAL_BOT_API=false. */
  botApi: BotApiCheckConfig | null;
  /** The local Bot API server, known even when its check is off: rules name it as `{config.bot_api_url}`. */
  localBotApi: { url: string; healthUrl: string | null };
  http: HttpCheckConfig[];
  process: ProcessCheckConfig[];
  silence: SilenceCheckConfig[];
  exec: ExecCheckConfig[];
  /** null = flap detection off. */
  flap: { count: number; withinMs: number } | null;
  /** Days of check runs kept on disk; 0 = none. */
  historyDays: number;
}

export interface SuperviseConfig {
  name: string;
  command: string[];
  /** Absolute. */
  cwd: string;
  /** Added to vigia's own environment for the child. */
  env: Record<string, string>;
  /** Absolute path of the child's log file. */
  logPath: string;
  restart: RestartPolicy;
  maxRestarts: number;
  restartBackoffMs: number[];
}

export interface StatusConfig {
  /** As configured, e.g. `127.0.0.1:9464`. */
  listen: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Every request must carry it (bearer header or the dashboard's cookie); required off loopback. null = none. */
  token: string | null;
}

/** The whole runtime configuration. Secrets live in `notify`, `checks.http` headers and `status`: never log it whole. */
export interface VigiaConfig {
  /** Absolute path of the config file, or null when running on built-in defaults. */
  configFile: string | null;
  /** Folder relative paths were resolved against (the config file's folder, else the working directory). */
  baseDir: string;
  sources: SourceConfig[];
  /** Absolute paths: folders of rule files and/or rule files. */
  rulePaths: string[];
  journalPath: string;
  journalArchive: JournalArchiveConfig;
  stateDir: string;
  logDir: string;
  logLevel: LogLevel;
  /** Longest one event may spend in the rules before the rule at fault is disabled (ms). */
  matchBudgetMs: number;
  remediation: RemediationConfig;
  notify: NotifyConfig;
  checks: ChecksConfig;
  supervise: SuperviseConfig[];
  /** null = no status server. */
  status: StatusConfig | null;
  tailing: TailingConfig;
}

/** When closed incidents move from the live journal to its monthly archives. */
interface JournalArchiveConfig {
  /** Time a closed incident stays in the live journal after closing (ms). */
  keepMs: number;
  /** Live journal size past which the oldest closed incidents move early; null = no size bound. */
  maxBytes: number | null;
}

/** How the file tailers share the process's descriptors. */
interface TailingConfig {
  /** Files held open at most (idle ones are closed and reopened on change); null = half the open-file limit. */
  maxOpenFiles: number | null;
}
