import type { NotifyLogger } from "./notify-logger.js";
import { createSecretMasker, maskSecretsInText } from "../util/mask-secrets.js";

/**
 * Bot tokens appear in Bot API URLs (`/bot<token>/sendMessage`) and therefore in network error messages
 * (node-fetch: "request to https://…/bot<token>/sendMessage failed"). Anything the notifier logs or throws goes
 * through the shared secret masking first.
 */

/** Replaces every given secret, and anything shaped like a credential (a bot token in a URL…), with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return maskSecretsInText(text, secrets);
}

/** Wraps a logger so that no line it writes can carry one of `secrets` (defence in depth over careful callers). */
export function createRedactingLogger(logger: NotifyLogger, secrets: readonly string[]): NotifyLogger {
  const masker = createSecretMasker(secrets);
  const wrap =
    (level: keyof NotifyLogger) =>
    (message: string, meta?: object): void => {
      const safe = masker.maskText(message);
      if (meta === undefined) logger[level](safe);
      else logger[level](safe, masker.maskValue(meta) as object);
    };
  return { info: wrap("info"), warn: wrap("warn"), error: wrap("error"), debug: wrap("debug") };
}
