import type { EmailConfig, TelegramConfig } from "../config/types.js";
import { DEFAULTS } from "../config/defaults.js";
import type { Incident } from "../types.js";
import type { EmailChannelOptions } from "./email-channel.js";
import type { MessageButton, MessageChannel } from "./message-channel.js";
import type { NotifyLogger } from "./notify-logger.js";
import type { Clock } from "../util/clock.js";
import type { TelegramChannelOptions } from "./telegram-channel.js";
import type { WebhookChannelOptions } from "./webhook-channel.js";

/** `notify.telegram` as the lead wires it from the config (token/chat id already expanded from the environment). */
export interface TelegramSettings {
  /** Bot token; empty or missing = Telegram off (alerts are logged only, no network call at all). */
  token?: string | null;
  /** The admin's chat id (`ADMIN_ID`); missing = Telegram off. */
  chatId?: number | string | null;
  /** A Bot API server other than the cloud's (a local Bot API, a test server); null/undefined = the cloud API. */
  apiRoot?: string | null;
  /**
   * `apiRoot` is the local Bot API implied by USE_LOCAL_BOT_API: while it is unreachable the cloud API stands in.
   * Default false: an `api_root` the operator wrote is never replaced.
   */
  fallbackToCloud?: boolean;
}

/** `notify.webhook`. */
export interface WebhookSettings {
  url: string;
  headers?: Readonly<Record<string, string>>;
}

/** Where an alert goes: Telegram, the webhook, or the log when Telegram is off. */
export type NotifyChannelName = "telegram" | "webhook" | "log";

/** What finally became of one message on one channel (edits of a message already sent are not counted). */
export type DeliveryOutcome = "sent" | "failed" | "dropped";

/** Everything the notifier needs; only `telegram`, `webhook`, `maxPerMinute` and `logger` come from the config. */
export interface NotifierOptions {
  telegram?: TelegramSettings | null;
  webhook?: WebhookSettings | null;
  /** `notify.email`: every alert also mailed (null/undefined = no email). */
  email?: EmailConfig | null;
  /** Retry tuning for email (see `EmailChannelOptions`). */
  emailRetry?: Pick<EmailChannelOptions, "backoffMs" | "timeoutMs">;
  /** New messages per minute at most (`notify.max_per_minute`); beyond it incidents go to a digest. */
  maxPerMinute?: number;
  /** Messages waiting at most; beyond it the oldest non-critical one is dropped (and counted). Default 1000. */
  queueLimit?: number;
  logger?: NotifyLogger;
  /** Length of the "minute" of `maxPerMinute` (tests shorten it). Default 60 000. */
  rateWindowMs?: number;
  /** A correlation key alerted within this long goes to the digest instead of a new message. Default 300 000. */
  repeatWindowMs?: number;
  /** A digest is sent this long after its first incident. Default 300 000 (the "últimos 5 min" of its text). */
  digestIntervalMs?: number;
  /** Incidents closed by one root cause within this long share one grouped message. Default 3000. */
  groupWindowMs?: number;
  /** Retry tuning for Telegram calls (see `TelegramChannelOptions`). */
  telegramRetry?: Pick<
    TelegramChannelOptions,
    "maxAttempts" | "backoffMs" | "maxRetryAfterSeconds" | "requestTimeoutSeconds" | "cloudApiRoot" | "localRetryAfterMs" | "maxUnreachableMs"
  >;
  /** Retry tuning for the webhook (see `WebhookChannelOptions`). */
  webhookRetry?: Pick<WebhookChannelOptions, "retries" | "backoffMs" | "timeoutMs" | "maxRetryAfterMs">;
  /** Retries and backoffs, digest and group timers, flood control, the shutdown's wait. Default systemClock. */
  clock?: Clock;
  /** Replaces the Telegram channel (another transport, or a test double). */
  channel?: MessageChannel;
  /** Told of each message's fate as it is known (metrics); must not throw. */
  onDelivery?: (channel: NotifyChannelName, outcome: DeliveryOutcome) => void;
  /**
   * The admin's silences: an incident of a silenced error_type gets no message of its own (nor a digest line);
   * `null` asks about alerts of no error type (an unforeseen error). Journal and webhook are not affected.
   */
  isSilenced?: (errorType: string | null) => boolean;
  /** Buttons under an incident's message (the command bot's Reintentar / Silenciar 1 h); none by default. */
  listIncidentButtons?: (incident: Incident) => MessageButton[];
}

/**
 * The Telegram settings alerts go out with. With a command bot (`commands_token`) alerts come from it rather than
 * from the download bot: the buttons under them, and the admin's answers, then reach vigia's own bot.
 */
export function toAlertTelegramSettings(telegram: TelegramConfig | null): TelegramSettings | null {
  if (!telegram) return null;
  return { token: telegram.commandsToken ?? telegram.token, chatId: telegram.chatId, apiRoot: telegram.apiRoot, fallbackToCloud: telegram.fallbackToCloud };
}

/** Defaults of the notifier's own settings; `maxPerMinute` is `notify.max_per_minute`'s. */
export const NOTIFIER_DEFAULTS = {
  maxPerMinute: DEFAULTS.notify.max_per_minute,
  queueLimit: 1000,
  rateWindowMs: 60_000,
  repeatWindowMs: 300_000,
  digestIntervalMs: 300_000,
  groupWindowMs: 3000,
} as const;

/** Telegram settings that can actually send, or why Telegram is off. */
export type ResolvedTelegram =
  | { on: true; token: string; chatId: number | string; apiRoot: string | null; fallbackToCloud: boolean }
  | { on: false; reason: string };

/** Decides whether Telegram is on: it needs both a token and a chat id. */
export function resolveTelegramSettings(settings: TelegramSettings | null | undefined): ResolvedTelegram {
  const token = settings?.token?.trim();
  if (!token) return { on: false, reason: "no notify.telegram.token (TELEGRAM_TOKEN)" };
  const chatId = settings?.chatId;
  if (chatId === undefined || chatId === null || String(chatId).trim() === "") {
    return { on: false, reason: "no notify.telegram.chat_id (ADMIN_ID)" };
  }
  return {
    on: true,
    token,
    chatId: typeof chatId === "string" ? chatId.trim() : chatId,
    apiRoot: settings?.apiRoot || null,
    fallbackToCloud: settings?.fallbackToCloud === true,
  };
}
