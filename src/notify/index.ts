/** Public surface of the notify stage (Telegram through grammY, webhook, flood control, session summary). */

// The notifier and its options
export { Notifier, type IncidentChange, type NotifierInput, type NotifierStats } from "./notifier.js";
export {
  NOTIFIER_DEFAULTS,
  resolveTelegramSettings,
  toAlertTelegramSettings,
  type NotifierOptions,
  type TelegramSettings,
  type WebhookSettings,
  type ResolvedTelegram,
} from "./notifier-options.js";
export { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";

// Channels
export { TelegramChannel, CLOUD_API_ROOT, type TelegramChannelOptions } from "./telegram-channel.js";
export { WebhookChannel, type WebhookChannelOptions, type WebhookResult } from "./webhook-channel.js";
export { LogOnlyChannel } from "./log-only-channel.js";
export type { MessageChannel } from "./message-channel.js";
export { sendTestMessage, TEST_MESSAGE_DEADLINE_MS, type ChannelTestResult } from "./send-test-message.js";

// Errors and retry decisions
export { classifyTelegramError, type TelegramRetryDecision } from "./classify-telegram-error.js";
export { TelegramSendError } from "./telegram-send-error.js";
export { redactSecrets, createRedactingLogger } from "./redact-secrets.js";

// Texts
export { formatIncidentMessage, extractKeyLine, describeEstado, SEVERITY_ICONS } from "./format-incident-message.js";
export { formatSessionSummary, countIncidents, type SessionSummary, type SessionSummaryInput, type IncidentCounts } from "./session-summary.js";
export { escapeHtml, escapeHtmlCut, TELEGRAM_MAX_TEXT } from "./escape-html.js";
