import type { VigiaConfig } from "./types.js";

/** What a set secret is shown as; an unset one stays null so "off" is still visible. */
const MASK = "***";

const maskValues = (map: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(map).map((k) => [k, MASK]));

/** Shows only scheme, host and port of a URL whose path or query may carry a secret. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/${MASK}`;
  } catch {
    return MASK;
  }
}

/**
 * A JSON-safe summary of the config for logs, the banner and `/health`: regexes as their source, tokens,
 * header values, child env values and webhook paths masked. Never log the config object itself.
 */
export function describeConfig(config: VigiaConfig): Record<string, unknown> {
  const { telegram, webhook, email, heartbeat } = config.notify;
  return {
    configFile: config.configFile,
    baseDir: config.baseDir,
    sources: config.sources.map((s) => ({
      ...s,
      multiline: s.multiline ? { start: s.multiline.start.source, flushIdleMs: s.multiline.flushIdleMs } : null,
    })),
    rulePaths: config.rulePaths,
    journalPath: config.journalPath,
    journalArchive: config.journalArchive,
    stateDir: config.stateDir,
    logDir: config.logDir,
    logLevel: config.logLevel,
    remediation: config.remediation,
    notify: {
      telegram: telegram && {
        token: MASK,
        chatId: telegram.chatId,
        apiRoot: telegram.apiRoot,
        commandsToken: telegram.commandsToken === null ? null : MASK,
      },
      webhook: webhook && { url: maskUrl(webhook.url), headers: maskValues(webhook.headers) },
      email: email && { ...email, password: email.password === null ? null : MASK },
      heartbeat: heartbeat && { ...heartbeat, url: maskUrl(heartbeat.url) },
      maxPerMinute: config.notify.maxPerMinute,
    },
    checks: {
      ...config.checks,
      http: config.checks.http.map((c) => ({ ...c, headers: maskValues(c.headers) })),
      process: config.checks.process.map((c) => ({ ...c, pattern: c.pattern?.source ?? null })),
      exec: config.checks.exec.map((c) => ({ ...c, expectOutput: c.expectOutput?.source ?? null })),
    },
    supervise: config.supervise.map((s) => ({ ...s, env: maskValues(s.env) })),
    status: config.status && { ...config.status, token: config.status.token === null ? null : MASK },
  };
}

/** Shortest value registered as a secret: shorter header values (`1`, `yes`) would redact ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * The secret strings in a config, to register with the logger's redaction (`logger.addSecret`) at startup:
 * bot tokens, webhook URL, header values. Short values are left out (see MIN_SECRET_LENGTH); tokens never are.
 */
export function listConfigSecrets(config: VigiaConfig): string[] {
  const secrets = new Set<string>();
  const { telegram, webhook, email, heartbeat } = config.notify;
  if (telegram) secrets.add(telegram.token);
  if (telegram?.commandsToken) secrets.add(telegram.commandsToken);
  const addLong = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
  };
  if (webhook) {
    addLong(webhook.url);
    Object.values(webhook.headers).forEach(addLong);
  }
  if (email?.password) secrets.add(email.password);
  if (heartbeat) addLong(heartbeat.url);
  for (const check of config.checks.http) Object.values(check.headers).forEach(addLong);
  if (config.status?.token) secrets.add(config.status.token);
  return [...secrets];
}
