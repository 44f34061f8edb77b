import type { Problem } from "../util/problems.js";
import { BOT_API_DEFAULTS } from "./defaults.js";
import {
  parseBooleanEnv,
  parseHttpUrl,
  parseIntegerEnv,
  parseSecondsEnv,
  parseSecondsListEnv,
  type Parsed,
} from "./parse-env-value.js";
import type { RawConfig } from "./types.js";

/** The merged environment (real env over `.env`), able to say where a variable was set. */
export interface EnvLookup {
  /** The value, or undefined when unset or empty (an empty `MAX_RETRIES=` in a template `.env` means unset). */
  get(name: string): string | undefined;
  /** `{file, line}` of the variable: the `.env` file and line, or `environment` / 0. */
  locate(name: string): { file: string; line: number };
}

export interface EnvOverrideResult {
  raw: RawConfig;
  problems: Problem[];
  /** One line per variable that changed the config, values left out (`MAX_RETRIES → remediation.max_retries`). */
  applied: string[];
}

/**
 * Applies the environment variables the bot's `.env` already uses, on the raw (validated) config:
 * - overrides (env wins over the file): MAX_RETRIES, BACKOFF_DELAYS, VERIFICACION_PERIODICA, USE_LOCAL_BOT_API;
 * - defaults (the file wins when it sets a non-empty value): TELEGRAM_TOKEN, ADMIN_ID, TELEGRAM_BOT_API_LOCAL_URL.
 * A bad value is a problem naming the variable; the config keeps its own value then.
 */
export function applyEnvOverrides(input: RawConfig, env: EnvLookup): EnvOverrideResult {
  const raw = structuredClone(input);
  const problems: Problem[] = [];
  const applied: string[] = [];

  const read = <T>(name: string, parse: (text: string) => Parsed<T>): T | undefined => {
    const text = env.get(name);
    if (text === undefined) return undefined;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    problems.push({ ...env.locate(name), field: name, message: parsed.message });
    return undefined;
  };

  const maxRetries = read("MAX_RETRIES", (t) => parseIntegerEnv(t, 0, 100));
  if (maxRetries !== undefined) {
    raw.remediation = { ...raw.remediation, max_retries: maxRetries };
    applied.push("MAX_RETRIES → remediation.max_retries");
  }
  const backoff = read("BACKOFF_DELAYS", parseSecondsListEnv);
  if (backoff !== undefined) {
    raw.remediation = { ...raw.remediation, backoff };
    applied.push("BACKOFF_DELAYS → remediation.backoff");
  }
  const interval = read("VERIFICACION_PERIODICA", parseSecondsEnv);
  if (interval !== undefined) {
    raw.checks = { ...raw.checks, interval };
    applied.push("VERIFICACION_PERIODICA → checks.interval");
  }

  const useLocalBotApi = read("USE_LOCAL_BOT_API", parseBooleanEnv);
  if (useLocalBotApi === true) {
    raw.checks = { ...raw.checks, bot_api: { ...raw.checks?.bot_api, enabled: true } };
    applied.push("USE_LOCAL_BOT_API → checks.bot_api on");
  } else if (useLocalBotApi === false && raw.checks?.bot_api) {
    raw.checks = { ...raw.checks, bot_api: null };
    applied.push("USE_LOCAL_BOT_API → checks.bot_api off");
  }
  // The local server's URL is read only where it is used, so a stale value in an unused .env line is no error.
  let localUrl: string | undefined;
  const getLocalUrl = (): string => {
    localUrl ??= read("TELEGRAM_BOT_API_LOCAL_URL", parseHttpUrl) ?? BOT_API_DEFAULTS.url;
    return localUrl;
  };
  const botApi = raw.checks?.bot_api;
  if (botApi && !botApi.url) botApi.url = getLocalUrl();
  else if (botApi === undefined && env.get("TELEGRAM_BOT_API_LOCAL_URL") !== undefined) {
    // The check is off, but rules still name the server (`{config.bot_api_url}`): keep the bot's URL for them.
    raw.checks = { ...raw.checks, bot_api: { enabled: false, url: getLocalUrl() } };
  }

  if (raw.notify?.telegram !== null) {
    const telegram = { ...raw.notify?.telegram };
    const token = env.get("TELEGRAM_TOKEN");
    if (!telegram.token && token) {
      telegram.token = token;
      applied.push("TELEGRAM_TOKEN → notify.telegram.token");
    }
    const adminId = env.get("ADMIN_ID");
    if ((telegram.chat_id === undefined || telegram.chat_id === "") && adminId) {
      telegram.chat_id = adminId;
      applied.push("ADMIN_ID → notify.telegram.chat_id");
    }
    if (useLocalBotApi === true && !telegram.api_root) {
      telegram.api_root = getLocalUrl();
      applied.push("USE_LOCAL_BOT_API → notify.telegram.api_root");
    }
    raw.notify = { ...raw.notify, telegram };
  }
  applyEmailDefaults(raw, env, read, applied);
  if (raw.notify?.heartbeat !== null) {
    const url = env.get("HEARTBEAT_URL");
    if (url && !raw.notify?.heartbeat?.url) {
      raw.notify = { ...raw.notify, heartbeat: { ...raw.notify?.heartbeat, url } };
      applied.push("HEARTBEAT_URL → notify.heartbeat.url");
    }
  }
  return { raw, problems, applied };
}

/**
 * The seed's mail settings (SMTP_SERVER, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, EMAIL_RECIPIENT) as defaults of
 * `notify.email`: they turn email on when the server and the recipient are set, and fill what the file leaves out.
 * `email: null` in the file keeps it off.
 */
function applyEmailDefaults(
  raw: RawConfig,
  env: EnvLookup,
  read: <T>(name: string, parse: (text: string) => Parsed<T>) => T | undefined,
  applied: string[],
): void {
  if (raw.notify?.email === null) return;
  const email = { ...raw.notify?.email };
  if (raw.notify?.email === undefined && (env.get("SMTP_SERVER") === undefined || env.get("EMAIL_RECIPIENT") === undefined)) return;
  const fill = (name: string, key: "host" | "user" | "password" | "to"): void => {
    const value = env.get(name);
    if (value !== undefined && (email[key] === undefined || email[key] === null || email[key] === "")) {
      email[key] = value;
      applied.push(`${name} → notify.email.${key}`);
    }
  };
  fill("SMTP_SERVER", "host");
  fill("SMTP_USERNAME", "user");
  fill("SMTP_PASSWORD", "password");
  fill("EMAIL_RECIPIENT", "to");
  if (email.port === undefined) {
    const port = read("SMTP_PORT", (t) => parseIntegerEnv(t, 1, 65535));
    if (port !== undefined) {
      email.port = port;
      applied.push("SMTP_PORT → notify.email.port");
    }
  }
  raw.notify = { ...raw.notify, email };
}
