import { hostname } from "node:os";
import { escapeHtml } from "./escape-html.js";
import { resolveTelegramSettings, type NotifierOptions } from "./notifier-options.js";
import { SILENT_LOGGER } from "./notify-logger.js";
import { createRedactingLogger, describeError } from "./redact-secrets.js";
import { TelegramChannel } from "./telegram-channel.js";
import { WebhookChannel } from "./webhook-channel.js";

/** What `vigia notify-test` prints per channel. */
export interface ChannelTestResult {
  channel: "telegram" | "webhook";
  ok: boolean;
  /** What happened, for the console: "sent message 42 as @my_bot", "off: no notify.telegram.token", "HTTP 500 after 4 attempts". */
  detail: string;
}

/**
 * Sends one test message through every configured channel (directly, no queue) and reports each outcome. Telegram
 * is listed even when off, so the operator sees why; the webhook only when configured.
 */
export async function sendTestMessage(options: NotifierOptions, now: Date = new Date()): Promise<ChannelTestResult[]> {
  const results: ChannelTestResult[] = [];
  const telegram = resolveTelegramSettings(options.telegram);
  const logger = createRedactingLogger(options.logger ?? SILENT_LOGGER, telegram.on ? [telegram.token] : []);
  const text = `vigia notify-test desde ${hostname()} a las ${now.toISOString()}: si lees esto, las alertas llegan.`;

  if (!telegram.on) {
    results.push({ channel: "telegram", ok: false, detail: `off: ${telegram.reason}` });
  } else {
    const channel =
      options.channel ??
      new TelegramChannel({ token: telegram.token, chatId: telegram.chatId, apiRoot: telegram.apiRoot, logger, sleep: options.sleep, ...options.telegramRetry });
    try {
      const messageId = await channel.send(`🧪 <b>${escapeHtml(text)}</b>`);
      results.push({ channel: "telegram", ok: true, detail: `sent message ${messageId} to chat ${telegram.chatId}` });
    } catch (error) {
      results.push({ channel: "telegram", ok: false, detail: describeError(error, [telegram.token]) });
    }
  }

  if (options.webhook?.url) {
    const webhook = new WebhookChannel({ url: options.webhook.url, headers: options.webhook.headers, logger, sleep: options.sleep, ...options.webhookRetry });
    const body = JSON.stringify({ event: "test", text, timestamp: now.toISOString() });
    const r = await webhook.post(body, "test");
    results.push({
      channel: "webhook",
      ok: r.ok,
      detail: r.ok ? `POST ${webhook.origin} → HTTP ${r.status}` : `POST ${webhook.origin} failed after ${r.attempts} attempt(s): ${r.error}`,
    });
  }
  return results;
}
