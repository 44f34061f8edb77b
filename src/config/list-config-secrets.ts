import type { VigiaConfig } from "./types.js";

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
