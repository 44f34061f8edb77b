/** Public surface of the notify stage: what the engine and `vigia notify-test` import. */

export { Notifier } from "./notifier.js";
export { toAlertTelegramSettings } from "./notifier-options.js";
export { sendTestMessage, TEST_MESSAGE_DEADLINE_MS } from "./send-test-message.js";
export { formatSessionSummary, type SessionSummary } from "./session-summary.js";
