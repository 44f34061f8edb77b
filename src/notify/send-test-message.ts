import { hostname } from "node:os";
import { escapeHtml } from "./escape-html.js";
import { resolveTelegramSettings, type NotifierOptions, type WebhookSettings } from "./notifier-options.js";
import { SILENT_LOGGER } from "./notify-logger.js";
import { describeError } from "../util/describe-error.js";
import { createRedactingLogger, redactSecrets } from "./redact-secrets.js";
import { createTelegramChannel } from "./create-telegram-channel.js";
import { CLOUD_API_ROOT } from "./telegram-channel.js";
import { TelegramSendError } from "./telegram-send-error.js";
import { WebhookChannel } from "./webhook-channel.js";
import { EmailChannel } from "./email-channel.js";
import type { EmailConfig } from "../config/types.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import { createTimeoutSignal } from "../util/clock.js";

/** What `vigia notify-test` prints per channel. */
export interface ChannelTestResult {
  channel: "telegram" | "webhook" | "email";
  ok: boolean;
  /** The channel is not configured (Telegram without a token): listed so the operator sees why, never a failure. */
  off?: boolean;
  /** What happened, for the console: "sent message 42 as @my_bot", "off: no notify.telegram.token", "HTTP 500 after 4 attempts". */
  detail: string;
}

/** How long a one-shot test message may take, every channel together, before it is given up. */
export const TEST_MESSAGE_DEADLINE_MS = 15_000;

/**
 * Sends one test message through every configured channel (directly, no queue, all at once) and reports each
 * outcome. Telegram is listed even when off, so the operator sees why; the webhook only when configured. Nothing
 * takes longer than `deadlineMs`: a channel still retrying then is given up, with the last failure as the reason.
 */
export async function sendTestMessage(
  options: NotifierOptions,
  now: Date = new Date(),
  deadlineMs: number = TEST_MESSAGE_DEADLINE_MS,
): Promise<ChannelTestResult[]> {
  const telegram = resolveTelegramSettings(options.telegram);
  const logger = createRedactingLogger(options.logger ?? SILENT_LOGGER, [
    ...(telegram.on ? [telegram.token] : []),
    ...(options.email?.password ? [options.email.password] : []),
  ]);
  const text = `vigia notify-test desde ${hostname()} a las ${now.toISOString()}: si lees esto, las alertas llegan.`;
  const deadlineTimer = createTimeoutSignal(deadlineMs, options.clock);
  const deadline = deadlineTimer.signal;
  const gaveUp = `gave up after ${formatDurationMs(deadlineMs)}`;

  const sendTelegram = async (): Promise<ChannelTestResult> => {
    if (!telegram.on) return { channel: "telegram", ok: false, off: true, detail: `off: ${telegram.reason}` };
    const server = telegram.apiRoot ?? CLOUD_API_ROOT;
    const channel = options.channel ?? createTelegramChannel(telegram, { logger, clock: options.clock, retry: options.telegramRetry });
    try {
      const messageId = await channel.send(`🧪 <b>${escapeHtml(text)}</b>`, deadline);
      return { channel: "telegram", ok: true, detail: `sent message ${messageId} to chat ${telegram.chatId}` };
    } catch (error) {
      if (error instanceof TelegramSendError && error.aborted) {
        return { channel: "telegram", ok: false, detail: `${gaveUp}: ${error.causeText ? `${server}: ${error.causeText}` : `no answer from ${server}`}` };
      }
      return { channel: "telegram", ok: false, detail: redactSecrets(describeError(error), [telegram.token]) };
    }
  };

  const postWebhook = async (settings: WebhookSettings): Promise<ChannelTestResult> => {
    const webhook = new WebhookChannel({ url: settings.url, headers: settings.headers, logger, clock: options.clock, ...options.webhookRetry });
    const body = JSON.stringify({ event: "test", text, timestamp: now.toISOString() });
    const r = await webhook.post(body, "test", deadline);
    let detail: string;
    if (r.ok) detail = `POST ${webhook.origin} → HTTP ${r.status}`;
    else if (r.aborted) detail = `${gaveUp}: ${r.error ? `${webhook.origin}: ${r.error}` : `no answer from ${webhook.origin}`}`;
    else detail = `POST ${webhook.origin} failed after ${r.attempts} attempt(s): ${r.error}`;
    return { channel: "webhook", ok: r.ok, detail };
  };

  const sendEmail = async (settings: EmailConfig): Promise<ChannelTestResult> => {
    const email = new EmailChannel(settings, { logger, clock: options.clock, ...options.emailRetry });
    try {
      await email.send(`🧪 <b>${escapeHtml(text)}</b>`, deadline);
      return { channel: "email", ok: true, detail: `mailed to ${settings.to.join(", ")} through ${email.server}` };
    } catch (error) {
      const reason = describeError(error);
      return { channel: "email", ok: false, detail: deadline.aborted ? `${gaveUp}: ${reason}` : reason };
    } finally {
      email.close();
    }
  };

  try {
    return await Promise.all([
      sendTelegram(),
      ...(options.webhook?.url ? [postWebhook(options.webhook)] : []),
      ...(options.email ? [sendEmail(options.email)] : []),
    ]);
  } finally {
    deadlineTimer.clear();
  }
}
