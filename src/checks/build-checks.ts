/**
 * The `checks:` section of the config (snake_case keys, seconds) turned into runnable checks (milliseconds).
 * The one place where config units become run-time units. A misconfigured entry is skipped with a message
 * naming its field; the rest still run.
 */
import { resolve } from "node:path";
import type { Severity } from "../types.js";
import type { Check, NowMs } from "./check.js";
import { createBotApiCheck } from "./bot-api-check.js";
import { DEFAULT_CHECK_INTERVAL_MS } from "./check-scheduler.js";
import { DEFAULT_FLAP_POLICY, type FlapPolicy } from "./check-state.js";
import { ConfigReader, describeRaw, isRecord, type CheckConfigProblem } from "./config-reader.js";
import { createDiskCheck, DISK_CHECK_DEFAULTS } from "./disk-check.js";
import { createExecCheck } from "./exec-check.js";
import { createHttpCheck, HTTP_CHECK_DEFAULTS } from "./http-check.js";
import type { LineActivity } from "./line-activity.js";
import { createProcessCheck, PROCESS_CHECK_DEFAULTS, type ProcessCheck } from "./process-check.js";
import { createSilenceCheck } from "./silence-check.js";

/** The `checks:` config section as written (after `${VAR}` expansion). Every key is optional. */
export interface ChecksConfig {
  /** Seconds between runs; default 30 (env VERIFICACION_PERIODICA is applied by the config loader). */
  interval?: number;
  /** More than `count` up/down changes within `within` seconds = flapping; null disables. */
  flap?: { count?: number; within?: number } | null;
  disk?: { paths?: string[]; warn_gb?: number; critical_gb?: number; timeout?: number } | null;
  /** Present (and not `enabled: false`) = probe the local Bot API. */
  bot_api?: { url?: string; attempts?: number; every?: number; timeout?: number; enabled?: boolean } | null;
  http?: Array<{
    name?: string;
    url?: string;
    method?: string;
    headers?: Record<string, string>;
    timeout?: number;
    expect_status?: number | number[];
    expect_json?: unknown;
    failure_threshold?: number;
  }> | null;
  process?: Array<{
    name?: string;
    pidfile?: string;
    pattern?: string;
    restart?: string[];
    max_restarts?: number;
    /** Seconds. */
    restart_window?: number;
    timeout?: number;
  }> | null;
  silence?: Array<{ source?: string; max_quiet?: number; process?: string }> | null;
  exec?: Array<{
    name?: string;
    command?: string[];
    timeout?: number;
    expect_output?: string;
    error_type?: string;
    severity?: Severity;
  }> | null;
}

export interface BuildChecksOptions {
  /** Relative pidfiles and disk paths resolve against it (the config file's folder); default the cwd. */
  baseDir?: string;
  /** Line activity the `silence` checks watch; the engine feeds it with `noteLine`. */
  activity: LineActivity;
  nowMs?: NowMs;
  /** Source names from the config, to reject a `silence` entry for an unknown source. */
  knownSources?: readonly string[];
}

export interface BuiltChecks {
  checks: Check[];
  intervalMs: number;
  flap: FlapPolicy | null;
  /** Process checks by name (to ask `lastKnownAlive`). */
  processChecks: Map<string, ProcessCheck>;
  /** Entries skipped, one message each (`checks.http[1].url: expected …`). */
  problems: CheckConfigProblem[];
}

const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

/** Builds every configured check; never throws on a bad entry. */
export function buildChecks(config: ChecksConfig | null | undefined, options: BuildChecksOptions): BuiltChecks {
  const raw: Record<string, unknown> = isRecord(config) ? config : {};
  const baseDir = options.baseDir ?? process.cwd();
  const top = new ConfigReader(raw, "checks");
  const problems: CheckConfigProblem[] = [];
  const checks: Check[] = [];
  const processChecks = new Map<string, ProcessCheck>();

  const intervalMs = top.seconds("interval", DEFAULT_CHECK_INTERVAL_MS) ?? DEFAULT_CHECK_INTERVAL_MS;
  const flap = readFlap(raw.flap, problems);
  problems.push(...top.problems);

  /** Adds a check unless its id is taken or the entry had problems. */
  const add = (reader: ConfigReader, make: () => Check | undefined): void => {
    let check: Check | undefined;
    if (reader.problems.length === 0) {
      try {
        check = make();
      } catch (error) {
        reader.problems.push({ field: reader.basePath, message: (error as Error).message });
      }
    }
    if (reader.problems.length > 0 || !check) {
      problems.push(...reader.problems.map((p) => ({ ...p, message: `${p.message}; check skipped` })));
      return;
    }
    if (checks.some((c) => c.id === check.id)) {
      problems.push({ field: reader.basePath, message: `duplicate check ${check.id}; check skipped` });
      return;
    }
    checks.push(check);
  };

  if (isRecord(raw.disk)) {
    const disk = new ConfigReader(raw.disk, "checks.disk");
    const paths = disk.stringList("paths") ?? ["."];
    const warnGb = disk.number("warn_gb", DISK_CHECK_DEFAULTS.warnGb);
    const criticalGb = disk.number("critical_gb", DISK_CHECK_DEFAULTS.criticalGb);
    const timeoutMs = disk.seconds("timeout");
    if (warnGb !== undefined && criticalGb !== undefined && criticalGb > warnGb) {
      disk.fail("critical_gb", `a value <= warn_gb (${warnGb})`);
    }
    paths.forEach((path, i) => {
      const entry = new ConfigReader({}, `checks.disk.paths[${i}]`);
      entry.problems.push(...disk.problems);
      add(entry, () => createDiskCheck({ path: resolveFrom(baseDir, path), label: path, warnGb, criticalGb, timeoutMs }));
    });
  } else if (raw.disk !== undefined && raw.disk !== null) {
    problems.push({ field: "checks.disk", message: `expected a mapping, got ${describeRaw(raw.disk)}; check skipped` });
  }

  if (isRecord(raw.bot_api) && raw.bot_api.enabled !== false) {
    const api = new ConfigReader(raw.bot_api, "checks.bot_api");
    const url = api.url("url", "http://localhost:8081");
    const attempts = api.integer("attempts", 3, 1);
    const everyMs = api.seconds("every", 10_000);
    const timeoutMs = api.seconds("timeout");
    add(api, () => createBotApiCheck({ url, attempts, everyMs, timeoutMs }));
  }

  forEachEntry(raw.http, "checks.http", problems, (entry) => {
    const name = entry.string("name", { required: true });
    const url = entry.url("url");
    const method = entry.string("method", { fallback: "GET" });
    if (method !== undefined && !/^[A-Za-z]+$/.test(method)) entry.fail("method", "an HTTP method such as GET");
    const headers = readHeaders(entry);
    const timeoutMs = entry.seconds("timeout", HTTP_CHECK_DEFAULTS.timeoutMs);
    const expectStatus = readStatuses(entry);
    const failureThreshold = entry.integer("failure_threshold", HTTP_CHECK_DEFAULTS.failureThreshold, 1);
    add(entry, () =>
      createHttpCheck({
        name: name!,
        url: url!,
        method: method!.toUpperCase(),
        headers,
        timeoutMs,
        expectStatus,
        expectJson: entry.raw.expect_json ?? undefined,
        failureThreshold,
      }),
    );
  });

  forEachEntry(raw.process, "checks.process", problems, (entry) => {
    const name = entry.string("name", { required: true });
    const pidfile = entry.string("pidfile");
    const pattern = entry.regex("pattern");
    if ((entry.raw.pidfile === undefined) === (entry.raw.pattern === undefined)) {
      entry.problems.push({ field: entry.basePath, message: "expected exactly one of pidfile or pattern" });
    }
    const restart = entry.stringList("restart");
    const maxRestarts = entry.integer("max_restarts", PROCESS_CHECK_DEFAULTS.maxRestarts, 0);
    const restartWindowMs = entry.seconds("restart_window", PROCESS_CHECK_DEFAULTS.restartWindowMs);
    const timeoutMs = entry.seconds("timeout");
    add(entry, () => {
      const check = createProcessCheck({
        name: name!,
        pidfile: pidfile === undefined ? undefined : resolveFrom(baseDir, pidfile),
        pattern,
        restart,
        maxRestarts,
        restartWindowMs,
        timeoutMs,
        nowMs: options.nowMs,
      });
      processChecks.set(name!, check);
      return check;
    });
  });

  forEachEntry(raw.silence, "checks.silence", problems, (entry) => {
    const source = entry.string("source", { required: true });
    if (source !== undefined && options.knownSources && !options.knownSources.includes(source)) {
      entry.fail("source", `one of the configured sources (${options.knownSources.join(", ")})`);
    }
    const maxQuietMs = entry.seconds("max_quiet");
    if (maxQuietMs === undefined && entry.raw.max_quiet === undefined) entry.fail("max_quiet", "a number of seconds > 0");
    const processName = entry.string("process");
    if (processName !== undefined && !processChecks.has(processName)) {
      entry.fail("process", "the name of a configured process check");
    }
    // By default a silence check trusts the process check of the same name, when there is one.
    const processCheck = processChecks.get(processName ?? source ?? "");
    add(entry, () =>
      createSilenceCheck({
        source: source!,
        maxQuietMs: maxQuietMs!,
        activity: options.activity,
        isProcessAlive: processCheck ? () => processCheck.lastKnownAlive() : undefined,
        nowMs: options.nowMs,
      }),
    );
  });

  forEachEntry(raw.exec, "checks.exec", problems, (entry) => {
    const name = entry.string("name", { required: true });
    const command = entry.stringList("command", { required: true });
    const timeoutMs = entry.seconds("timeout");
    const expectOutput = entry.regex("expect_output");
    const errorType = entry.string("error_type");
    if (errorType !== undefined && !/^[A-Za-z0-9_]+$/.test(errorType)) entry.fail("error_type", "a rule id (letters, digits, _)");
    const severity = entry.raw.severity as Severity | undefined;
    if (severity !== undefined && !SEVERITIES.includes(severity)) entry.fail("severity", SEVERITIES.join(" | "));
    add(entry, () => createExecCheck({ name: name!, command: command!, timeoutMs, expectOutput, errorType, severity, cwd: baseDir }));
  });

  return { checks, intervalMs, flap, processChecks, problems };
}

/** Runs `read` over each entry of a list section, reporting a non-list or a non-mapping entry. */
function forEachEntry(
  value: unknown,
  basePath: string,
  problems: CheckConfigProblem[],
  read: (entry: ConfigReader) => void,
): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    problems.push({ field: basePath, message: `expected a list, got ${describeRaw(value)}; checks skipped` });
    return;
  }
  value.forEach((item, i) => {
    if (!isRecord(item)) {
      problems.push({ field: `${basePath}[${i}]`, message: `expected a mapping, got ${describeRaw(item)}; check skipped` });
      return;
    }
    read(new ConfigReader(item, `${basePath}[${i}]`));
  });
}

function readFlap(value: unknown, problems: CheckConfigProblem[]): FlapPolicy | null {
  if (value === null) return null;
  if (value === undefined) return DEFAULT_FLAP_POLICY;
  if (!isRecord(value)) {
    problems.push({ field: "checks.flap", message: `expected a mapping, got ${describeRaw(value)}; using the default` });
    return DEFAULT_FLAP_POLICY;
  }
  const reader = new ConfigReader(value, "checks.flap");
  const count = reader.integer("count", DEFAULT_FLAP_POLICY.count, 1);
  const withinMs = reader.seconds("within", DEFAULT_FLAP_POLICY.withinMs);
  problems.push(...reader.problems.map((p) => ({ ...p, message: `${p.message}; using the default` })));
  return { count: count ?? DEFAULT_FLAP_POLICY.count, withinMs: withinMs ?? DEFAULT_FLAP_POLICY.withinMs };
}

function readHeaders(entry: ConfigReader): Record<string, string> | undefined {
  const value = entry.raw.headers;
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) {
    // Header values may be secrets (Authorization): never echo them.
    entry.problems.push({ field: `${entry.basePath}.headers`, message: "expected a mapping of header names to strings" });
    return undefined;
  }
  return value as Record<string, string>;
}

function readStatuses(entry: ConfigReader): number[] | undefined {
  const value = entry.raw.expect_status;
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    return entry.fail("expect_status", "an HTTP status (100-599) or a list of them");
  }
  return list as number[];
}

function resolveFrom(baseDir: string, path: string): string {
  return resolve(baseDir, path);
}
