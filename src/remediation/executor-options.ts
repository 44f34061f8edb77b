import { resolve } from "node:path";
import type { CompiledRule } from "../types.js";
import { getDiskSpace, type GetDiskSpace } from "./disk-space.js";
import { systemClock, type Clock } from "../util/clock.js";
import { REMEDIATION_DEFAULTS_MS } from "../config/defaults.js";

/** The subset of a winston logger the executor uses. */
interface RemediationLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Told of each attempt, action and job end as it happens (metrics); must not throw. */
export interface RemediationObserver {
  /** Attempt `attempt` of a job starts: 0 is the fix itself, then each retry. */
  attemptStarted?(rule: CompiledRule, attempt: number): void;
  actionEnded?(rule: CompiledRule, result: { action: string; ok: boolean; dryRun?: boolean; durationMs: number }): void;
  jobEnded?(rule: CompiledRule, estado: "solucionado" | "fallido" | "cancelado"): void;
}

/** Options of createExecutor; config keys of `remediation:` in parentheses. */
export interface ExecutorOptions {
  /** Folders file actions may touch (`allowed_roots`); relative ones resolve against `baseDir`. */
  allowedRoots: readonly string[];
  /** The config file's folder: relative paths in rules and options resolve against it. */
  baseDir: string;
  /** chown target, `"user:group"` or `"uid:gid"` (`owner`). Default null: the owner of the allowed root. */
  owner?: string | null;
  /** Run chown through `sudo -n` (`sudo`). Default false. */
  sudo?: boolean;
  /** cleanup moves files here instead of deleting them (`quarantine_dir`); must lie inside a root. Default null. */
  quarantineDir?: string | null;
  /** Per-action timeout unless the action sets `timeout` (`action_timeout`; defaults of these keys: config/defaults.ts). */
  actionTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL for a command that overran. Default 2000. */
  killGraceMs?: number;
  /** Incidents remediated at once, never two for one key (`concurrency`). */
  concurrency?: number;
  /** Retries after the fix itself unless the rule sets `retries` (`max_retries`, env MAX_RETRIES); 0 = none. */
  maxRetries?: number;
  /** Delay before retry k (`backoff`, env BACKOFF_DELAYS); the last repeats. */
  backoffMs?: readonly number[];
  /** Journal what would be done, touch nothing (`dry_run`, `--dry-run`). Default false. */
  dryRun?: boolean;
  /** Bytes of a command's stdout and of its stderr kept for messages. Default 4096. */
  maxOutputBytes?: number;
  logger?: RemediationLogger;
  observer?: RemediationObserver;
  /** Action timeouts, durations and file ages (tests: a virtual clock). Default systemClock. */
  clock?: Clock;
  /**
   * The retry schedule's clock: the backoff waits between attempts (and so how long a rule waits for its
   * resolve_on line). Default `clock`. The engine hands over incident time, the log's own during a catch-up.
   */
  retryClock?: Pick<Clock, "now" | "setTimeout" | "clearTimeout">;
  /** Free-space reader (tests). Default check-disk-space. */
  getDiskSpace?: GetDiskSpace;
}

export type NormalizedExecutorOptions = Required<Omit<ExecutorOptions, "owner" | "quarantineDir">> & {
  owner: string | null;
  quarantineDir: string | null;
};

/** An option with an unusable value: what was expected and what was got. */
class InvalidExecutorOptionError extends Error {
  override readonly name = "InvalidExecutorOptionError";
  constructor(readonly option: string, readonly expected: string, readonly got: unknown) {
    super(`remediation option ${option}: expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

const silentLogger: RemediationLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Applies defaults once and validates every option, so the executor never re-checks them. */
export function normalizeExecutorOptions(raw: ExecutorOptions): NormalizedExecutorOptions {
  if (typeof raw.baseDir !== "string" || raw.baseDir === "") throw new InvalidExecutorOptionError("baseDir", "a folder path", raw.baseDir);
  const baseDir = resolve(raw.baseDir);
  if (!Array.isArray(raw.allowedRoots) || raw.allowedRoots.some((root) => typeof root !== "string" || root === "")) {
    throw new InvalidExecutorOptionError("allowedRoots", "a list of folder paths", raw.allowedRoots);
  }
  const options: NormalizedExecutorOptions = {
    allowedRoots: raw.allowedRoots.map((root) => resolve(baseDir, root)),
    baseDir,
    owner: raw.owner ?? null,
    sudo: raw.sudo ?? false,
    quarantineDir: raw.quarantineDir ? resolve(baseDir, raw.quarantineDir) : null,
    actionTimeoutMs: raw.actionTimeoutMs ?? REMEDIATION_DEFAULTS_MS.actionTimeoutMs,
    killGraceMs: raw.killGraceMs ?? 2000,
    concurrency: raw.concurrency ?? REMEDIATION_DEFAULTS_MS.concurrency,
    maxRetries: raw.maxRetries ?? REMEDIATION_DEFAULTS_MS.maxRetries,
    backoffMs: raw.backoffMs ?? REMEDIATION_DEFAULTS_MS.backoffMs,
    dryRun: raw.dryRun ?? false,
    maxOutputBytes: raw.maxOutputBytes ?? 4096,
    logger: raw.logger ?? silentLogger,
    observer: raw.observer ?? {},
    clock: raw.clock ?? systemClock,
    retryClock: raw.retryClock ?? raw.clock ?? systemClock,
    getDiskSpace: raw.getDiskSpace ?? getDiskSpace,
  };
  requirePositiveInteger("concurrency", options.concurrency);
  requireInteger("maxRetries", options.maxRetries);
  requirePositiveInteger("actionTimeoutMs", options.actionTimeoutMs);
  requireInteger("killGraceMs", options.killGraceMs);
  requireInteger("maxOutputBytes", options.maxOutputBytes);
  if (!Array.isArray(options.backoffMs) || options.backoffMs.some((ms) => !Number.isFinite(ms) || ms < 0)) {
    throw new InvalidExecutorOptionError("backoffMs", "a list of delays in ms >= 0", options.backoffMs);
  }
  if (options.owner !== null && (typeof options.owner !== "string" || options.owner === "")) {
    throw new InvalidExecutorOptionError("owner", "'user:group', 'uid:gid' or null", options.owner);
  }
  return options;
}

function requirePositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InvalidExecutorOptionError(option, "an integer >= 1", value);
}

function requireInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new InvalidExecutorOptionError(option, "an integer >= 0", value);
}
