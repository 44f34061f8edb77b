import { hostname } from "node:os";
import { resolve, join } from "node:path";
import { formatFieldPath, type Problem } from "../util/problems.js";
import {
  BOT_API_DEFAULTS,
  DEFAULT_SOURCES,
  DEFAULTS,
  EXEC_CHECK_DEFAULTS,
  HTTP_CHECK_DEFAULTS,
  MULTILINE_DEFAULTS,
  PROCESS_CHECK_DEFAULTS,
  secondsToMs,
  SOURCE_DEFAULTS,
  SUPERVISE_DEFAULTS,
} from "./defaults.js";
import { isLoopbackHost, parseListenAddress, STATUS_TOKEN_MIN_LENGTH } from "./parse-listen-address.js";
import { resolveRulePaths } from "./resolve-rule-paths.js";
import type {
  ChecksConfig,
  EmailConfig,
  HeartbeatConfig,
  NotifyConfig,
  RawConfig,
  RawEmail,
  RawHeartbeat,
  RawNotify,
  RawSource,
  RemediationConfig,
  SourceConfig,
  StatusConfig,
  SuperviseConfig,
  TelegramConfig,
  VigiaConfig,
} from "./types.js";

type FieldPath = Array<string | number>;

/** Tells the line of a field of the config file (0 and `<defaults>` when there is no file). */
export interface ConfigLocator {
  file: string;
  lineOf(path: ReadonlyArray<string | number>): number;
}

export interface NormalizeResult {
  config: VigiaConfig;
  /** Checks the schema cannot express: bad regexes, URLs, duplicate names, unknown references. */
  problems: Problem[];
  /** Legal but probably unintended; `vigia check` prints them without failing. */
  warnings: Problem[];
}

/** Seconds (as written) to milliseconds (as used). */

const isHttpUrl = (text: string): boolean => {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
};

/**
 * Converts a validated raw config (env already applied) into the runtime `VigiaConfig`: defaults filled in
 * from `defaults.ts`, paths made absolute against `baseDir`, seconds turned into ms, regexes compiled.
 * This is the only place the two shapes meet.
 */
export function normalizeConfig(
  raw: RawConfig,
  context: {
    baseDir: string;
    configFile: string | null;
    locator: ConfigLocator;
    rulesOverride?: string[] | null;
    /** `notify.telegram.api_root` was filled in from USE_LOCAL_BOT_API, not written. */
    apiRootFromEnv?: boolean;
  },
): NormalizeResult {
  const { baseDir, locator } = context;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const report = (list: Problem[], path: FieldPath, message: string): void => {
    list.push({ file: locator.file, line: locator.lineOf(path), field: formatFieldPath(path), message });
  };
  const problem = (path: FieldPath, message: string) => report(problems, path, message);
  const warn = (path: FieldPath, message: string) => report(warnings, path, message);
  const toAbsolute = (path: string): string => resolve(baseDir, path);
  const compile = (source: string, path: FieldPath): RegExp | null => {
    try {
      return new RegExp(source);
    } catch (error) {
      problem(path, `invalid regular expression: ${(error as Error).message}`);
      return null;
    }
  };
  /** Reports the second and later items of `items` whose `key` repeats an earlier one. */
  const requireUnique = <T>(items: readonly T[], key: (item: T) => string, path: FieldPath, keyName: string, what: string) => {
    const firstIndex = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = firstIndex.get(k);
      if (first === undefined) firstIndex.set(k, i);
      else problem([...path, i, keyName], `duplicate ${what} '${k}' (also ${formatFieldPath([...path, first])})`);
    });
  };

  // ── sources ──
  const rawSources: RawSource[] = raw.sources ?? DEFAULT_SOURCES;
  const sources: SourceConfig[] = rawSources.map((s, i) => {
    const start = s.multiline ? compile(s.multiline.start ?? "", ["sources", i, "multiline", "start"]) : null;
    return {
      name: s.name,
      path: toAbsolute(s.path),
      multiline: start ? { start, flushIdleMs: s.multiline?.flush_ms ?? MULTILINE_DEFAULTS.flush_ms } : null,
      maxLineBytes: s.max_line_bytes ?? SOURCE_DEFAULTS.max_line_bytes,
      startAt: s.start_at ?? SOURCE_DEFAULTS.start_at,
    };
  });
  requireUnique(sources, (s) => s.name, ["sources"], "name", "source name");
  requireUnique(sources, (s) => s.path, ["sources"], "path", "source file");

  // ── paths and level ──
  const { paths: rulePaths, fallbackWarning } = resolveRulePaths(raw.rules, baseDir, context.rulesOverride ?? null);
  if (fallbackWarning) warn(["rules"], fallbackWarning);
  const logDir = toAbsolute(raw.log_dir ?? DEFAULTS.log_dir);

  // ── remediation ──
  const r = { ...DEFAULTS.remediation, ...raw.remediation };
  const remediation: RemediationConfig = {
    allowedRoots: r.allowed_roots.map(toAbsolute),
    maxRetries: r.max_retries,
    backoffMs: r.backoff.map(secondsToMs),
    actionTimeoutMs: secondsToMs(r.action_timeout),
    concurrency: r.concurrency,
    owner: r.owner ?? null,
    sudo: r.sudo,
    quarantineDir: r.quarantine_dir ? toAbsolute(r.quarantine_dir) : null,
    dryRun: r.dry_run,
    maxReopen: r.max_reopen,
  };

  // ── supervise (before checks: silence checks may name a supervised command) ──
  const supervise: SuperviseConfig[] = (raw.supervise ?? []).map((s) => ({
    name: s.name,
    command: s.command,
    cwd: s.cwd ? toAbsolute(s.cwd) : baseDir,
    env: s.env ?? {},
    logPath: s.log ? toAbsolute(s.log) : join(logDir, `${s.name}.log`),
    restart: s.restart ?? SUPERVISE_DEFAULTS.restart,
    maxRestarts: s.max_restarts ?? SUPERVISE_DEFAULTS.max_restarts,
    restartBackoffMs: (s.restart_backoff ?? SUPERVISE_DEFAULTS.restart_backoff).map(secondsToMs),
  }));
  requireUnique(supervise, (s) => s.name, ["supervise"], "name", "supervised command name");

  const notify = normalizeNotify(raw.notify, context.apiRootFromEnv === true, problem, warn);
  const checks = normalizeChecks(raw, { toAbsolute, compile, problem, warn, requireUnique, baseDir, logDir, sources });
  const streamNames = new Set([...sources.map((s) => s.name), ...supervise.map((s) => s.name)]);
  checks.silence.forEach((s, i) => {
    if (!streamNames.has(s.source)) {
      problem(["checks", "silence", i, "source"], `unknown source '${s.source}' (known: ${[...streamNames].join(", ") || "none"})`);
    }
  });

  // ── status ──
  let status: StatusConfig | null = null;
  const rawListen = raw.status === null ? null : raw.status?.listen === undefined ? DEFAULTS.status.listen : raw.status.listen;
  const listen = rawListen === null ? null : String(rawListen);
  if (listen !== null) {
    const parsed = parseListenAddress(listen);
    // An unset `${VIGIA_STATUS_TOKEN}` expands to "": no token, not an empty one that everybody knows.
    const token = raw.status?.token ? raw.status.token : null;
    if (parsed.ok) status = { listen, ...parsed.value, token };
    else problem(["status", "listen"], parsed.message);
    if (token !== null && token.length < STATUS_TOKEN_MIN_LENGTH) {
      problem(["status", "token"], `expected at least ${STATUS_TOKEN_MIN_LENGTH} characters (e.g. \`openssl rand -hex 24\`), got ${token.length}`);
    } else if (parsed.ok && token === null && !isLoopbackHost(parsed.value.host)) {
      // The status server shows paths, offsets and log lines: other machines see them only with a secret.
      problem(
        ["status", "listen"],
        `${listen} is reachable from other machines, so status.token is required (set it, e.g. token: '\${VIGIA_STATUS_TOKEN}', or listen on 127.0.0.1)`,
      );
    }
  }

  const config: VigiaConfig = {
    configFile: context.configFile,
    baseDir,
    sources,
    rulePaths,
    journalPath: toAbsolute(raw.journal ?? DEFAULTS.journal),
    journalArchive: {
      keepMs: (raw.journal_archive?.keep_days ?? DEFAULTS.journal_archive.keep_days) * 86_400_000,
      maxBytes: raw.journal_archive?.max_bytes === undefined ? DEFAULTS.journal_archive.max_bytes : raw.journal_archive.max_bytes,
    },
    stateDir: toAbsolute(raw.state_dir ?? DEFAULTS.state_dir),
    logDir,
    logLevel: raw.log_level ?? DEFAULTS.log_level,
    matchBudgetMs: raw.match_budget_ms ?? DEFAULTS.match_budget_ms,
    remediation,
    notify,
    checks,
    supervise,
    status,
    tailing: { maxOpenFiles: raw.tailing?.max_open_files ?? null },
  };
  return { config, problems, warnings };
}

type Report = (path: FieldPath, message: string) => void;

/** Bot tokens go into URL paths: whitespace or a slash would change the request, never a valid token. */
const isTokenShaped = (token: string): boolean => !/[\s/]/.test(token);

function normalizeNotify(raw: RawNotify | undefined, apiRootFromEnv: boolean, problem: Report, warn: Report): NotifyConfig {
  let telegram: TelegramConfig | null = null;
  const t = raw?.telegram;
  const at = (key: string): FieldPath => ["notify", "telegram", key];
  if (t?.token) {
    const chatId = t.chat_id === undefined ? "" : String(t.chat_id).trim();
    const apiRoot = t.api_root ? t.api_root.trim() : null;
    const commandsToken = t.commands_token ? t.commands_token : null;
    let valid = true;
    if (!isTokenShaped(t.token)) {
      problem(at("token"), "expected a bot token without spaces or slashes (value hidden)");
      valid = false;
    }
    if (!chatId) {
      warn(at("chat_id"), "a token is set but no chat_id (env ADMIN_ID): Telegram stays off");
      valid = false;
    } else if (!/^-?\d+$|^@[A-Za-z0-9_]{4,}$/.test(chatId)) {
      problem(at("chat_id"), `expected a numeric chat id or @channel, got ${JSON.stringify(chatId)}`);
      valid = false;
    }
    if (apiRoot && !isHttpUrl(apiRoot)) {
      problem(at("api_root"), `expected an http(s) URL, got ${JSON.stringify(apiRoot)}`);
      valid = false;
    }
    if (commandsToken && !isTokenShaped(commandsToken)) {
      problem(at("commands_token"), "expected a bot token without spaces or slashes (value hidden)");
      valid = false;
    } else if (commandsToken && commandsToken === t.token) {
      // Polling getUpdates with the bot's own token would steal its updates (409 Conflict).
      problem(at("commands_token"), "must be a different bot's token than notify.telegram.token (value hidden)");
      valid = false;
    }
    if (valid) telegram = { token: t.token, chatId, apiRoot: apiRoot || null, fallbackToCloud: Boolean(apiRoot) && apiRootFromEnv, commandsToken };
  }
  let webhook: NotifyConfig["webhook"] = null;
  if (raw?.webhook) {
    // The URL itself may carry a secret (Slack-style hooks): say what is wrong without echoing it.
    if (isHttpUrl(raw.webhook.url)) webhook = { url: raw.webhook.url, headers: raw.webhook.headers ?? {} };
    else problem(["notify", "webhook", "url"], "expected an http(s) URL (value hidden)");
  }
  return {
    telegram,
    webhook,
    email: normalizeEmail(raw?.email, problem),
    heartbeat: normalizeHeartbeat(raw?.heartbeat, problem),
    maxPerMinute: raw?.max_per_minute ?? DEFAULTS.notify.max_per_minute,
    newErrorAfter: raw?.new_error_after ?? DEFAULTS.notify.new_error_after,
    newErrorWithinMs: secondsToMs(raw?.new_error_within ?? DEFAULTS.notify.new_error_within),
  };
}

/** A single mailbox address, loosely: something@something, no spaces or angle brackets to confuse the header. */
const isMailAddress = (text: string): boolean => /^[^\s@<>,]+@[^\s@<>,]+$/.test(text);

function normalizeEmail(raw: RawEmail | null | undefined, problem: Report): EmailConfig | null {
  if (!raw) return null;
  const at = (key: string): FieldPath => ["notify", "email", key];
  if (!raw.host) {
    problem(at("host"), "expected the SMTP server's host (env SMTP_SERVER)");
    return null;
  }
  const to = (Array.isArray(raw.to) ? raw.to : (raw.to ?? "").split(","))
    .map((address) => address.trim())
    .filter((address) => address !== "");
  if (to.length === 0) {
    problem(at("to"), "expected at least one recipient (env EMAIL_RECIPIENT)");
    return null;
  }
  const bad = to.find((address) => !isMailAddress(address));
  if (bad !== undefined) {
    problem(at("to"), `expected an email address, got ${JSON.stringify(bad)}`);
    return null;
  }
  const port = raw.port ?? DEFAULTS.notify.email_port;
  const user = raw.user ? raw.user : null;
  const from = raw.from ?? (user && isMailAddress(user) ? user : `vigia@${hostname()}`);
  if (!isMailAddress(from.replace(/^.*<([^>]+)>\s*$/, "$1"))) {
    problem(at("from"), `expected an email address, got ${JSON.stringify(from)}`);
    return null;
  }
  return { host: raw.host, port, secure: raw.secure ?? port === 465, user, password: raw.password ? raw.password : null, from, to };
}

function normalizeHeartbeat(raw: RawHeartbeat | null | undefined, problem: Report): HeartbeatConfig | null {
  if (!raw) return null;
  // The URL identifies the check (anyone holding it can ping it): say what is wrong without echoing it.
  if (!raw.url || !isHttpUrl(raw.url)) {
    problem(["notify", "heartbeat", "url"], "expected an http(s) URL (env HEARTBEAT_URL; value hidden)");
    return null;
  }
  const every = raw.every ?? DEFAULTS.notify.heartbeat_every;
  const stuckAfter = raw.stuck_after ?? Math.max(DEFAULTS.notify.heartbeat_stuck_after, 2 * every);
  return { url: raw.url, everyMs: secondsToMs(every), stuckAfterMs: secondsToMs(stuckAfter), method: raw.method ?? "GET" };
}

interface ChecksHelpers {
  toAbsolute(path: string): string;
  compile(source: string, path: FieldPath): RegExp | null;
  problem: Report;
  warn: Report;
  requireUnique<T>(items: readonly T[], key: (item: T) => string, path: FieldPath, keyName: string, what: string): void;
  baseDir: string;
  logDir: string;
  sources: readonly SourceConfig[];
}

function normalizeChecks(raw: RawConfig, h: ChecksHelpers): ChecksConfig {
  const c = raw.checks ?? {};
  const requireHttpUrl = (url: string, path: FieldPath): void => {
    if (!isHttpUrl(url)) h.problem(path, `expected an http(s) URL, got ${JSON.stringify(url)}`);
  };

  let disk: ChecksConfig["disk"] = null;
  if (c.disk !== null) {
    const d = { ...DEFAULTS.checks.disk, ...c.disk };
    disk = {
      paths: d.paths.map(h.toAbsolute),
      warnGb: d.warn_gb,
      criticalGb: d.critical_gb,
      timeoutMs: secondsToMs(d.timeout),
      stopSupervised: d.stop_supervised,
    };
    if (d.critical_gb > d.warn_gb) {
      h.warn(["checks", "disk", "critical_gb"], `critical_gb (${d.critical_gb}) is above warn_gb (${d.warn_gb}): the warning level is never seen`);
    }
  }

  const localBotApi = { url: c.bot_api?.url || BOT_API_DEFAULTS.url, healthUrl: c.bot_api?.health_url ?? null };
  if (c.bot_api?.url) requireHttpUrl(localBotApi.url, ["checks", "bot_api", "url"]);
  if (localBotApi.healthUrl !== null) requireHttpUrl(localBotApi.healthUrl, ["checks", "bot_api", "health_url"]);
  let botApi: ChecksConfig["botApi"] = null;
  if (c.bot_api && c.bot_api.enabled !== false) {
    const b = { ...BOT_API_DEFAULTS, ...c.bot_api };
    botApi = { ...localBotApi, attempts: b.attempts, everyMs: secondsToMs(b.every), timeoutMs: secondsToMs(b.timeout) };
  }

  const http = (c.http ?? []).map((x, i) => {
    requireHttpUrl(x.url, ["checks", "http", i, "url"]);
    const status = x.expect_status;
    return {
      name: x.name,
      url: x.url,
      method: x.method ?? HTTP_CHECK_DEFAULTS.method,
      headers: x.headers ?? {},
      timeoutMs: secondsToMs(x.timeout ?? HTTP_CHECK_DEFAULTS.timeout),
      expectStatus: status === undefined ? null : Array.isArray(status) ? status : [status],
      expectJson: x.expect_json ?? null,
      failureThreshold: x.failure_threshold ?? HTTP_CHECK_DEFAULTS.failure_threshold,
    };
  });
  h.requireUnique(http, (x) => x.name, ["checks", "http"], "name", "check name");

  const processes = (c.process ?? []).map((x, i) => {
    if ((x.pidfile === undefined) === (x.pattern === undefined)) {
      h.problem(["checks", "process", i], "give exactly one of 'pidfile' and 'pattern'");
    }
    return {
      name: x.name,
      pidfile: x.pidfile === undefined ? null : h.toAbsolute(x.pidfile),
      pattern: x.pattern === undefined ? null : h.compile(x.pattern, ["checks", "process", i, "pattern"]),
      restart: x.restart ?? null,
      // A restarted bot keeps writing where the tailer reads it.
      restartLogPath: x.restart_log
        ? h.toAbsolute(x.restart_log)
        : (h.sources.find((s) => s.name === x.name)?.path ?? join(h.logDir, `${x.name}.log`)),
      restartCwd: x.restart_cwd ? h.toAbsolute(x.restart_cwd) : h.baseDir,
      maxRestarts: x.max_restarts ?? PROCESS_CHECK_DEFAULTS.max_restarts,
      restartWindowMs: secondsToMs(x.restart_window ?? PROCESS_CHECK_DEFAULTS.restart_window),
      timeoutMs: secondsToMs(x.timeout ?? PROCESS_CHECK_DEFAULTS.timeout),
    };
  });
  h.requireUnique(processes, (x) => x.name, ["checks", "process"], "name", "check name");

  const exec = (c.exec ?? []).map((x, i) => ({
    name: x.name,
    command: x.command,
    timeoutMs: secondsToMs(x.timeout ?? EXEC_CHECK_DEFAULTS.timeout),
    expectOutput: x.expect_output === undefined ? null : h.compile(x.expect_output, ["checks", "exec", i, "expect_output"]),
    errorType: x.error_type ?? null,
    severity: x.severity ?? null,
  }));
  h.requireUnique(exec, (x) => x.name, ["checks", "exec"], "name", "check name");

  const silence = (c.silence ?? []).map((x, i) => {
    if (x.process !== undefined && !processes.some((p) => p.name === x.process)) {
      h.problem(["checks", "silence", i, "process"], `unknown process check '${x.process}'`);
    }
    return { source: x.source, maxQuietMs: secondsToMs(x.max_quiet), process: x.process ?? null };
  });
  const flap = c.flap === null ? null : { ...DEFAULTS.checks.flap, ...c.flap };
  return {
    intervalMs: secondsToMs(c.interval ?? DEFAULTS.checks.interval),
    disk,
    botApi,
    localBotApi,
    http,
    process: processes,
    silence,
    exec,
    flap: flap && { count: flap.count, withinMs: secondsToMs(flap.within) },
    historyDays: c.history_days ?? DEFAULTS.checks.history_days,
  };
}
