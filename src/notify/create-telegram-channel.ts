import type { ResolvedTelegram, NotifierOptions } from "./notifier-options.js";
import type { NotifyLogger } from "./notify-logger.js";
import type { Clock } from "../util/clock.js";
import { CLOUD_API_ROOT, TelegramChannel } from "./telegram-channel.js";

/**
 * The Telegram channel of resolved settings. Which server may stand in for which is decided here: an `api_root`
 * the operator wrote is the only server ever used (a test server or a private Bot API must never see its alerts go
 * to the cloud instead), while the local Bot API implied by USE_LOCAL_BOT_API falls back to the cloud API while it
 * is unreachable. `retry.cloudApiRoot` only moves "the cloud" elsewhere (tests).
 */
export function createTelegramChannel(
  telegram: Extract<ResolvedTelegram, { on: true }>,
  context: { logger: NotifyLogger; clock?: Clock; retry?: NotifierOptions["telegramRetry"] },
): TelegramChannel {
  const cloud = context.retry?.cloudApiRoot === undefined ? CLOUD_API_ROOT : context.retry.cloudApiRoot;
  return new TelegramChannel({
    token: telegram.token,
    chatId: telegram.chatId,
    apiRoot: telegram.apiRoot,
    logger: context.logger,
    clock: context.clock,
    ...context.retry,
    cloudApiRoot: telegram.apiRoot && !telegram.fallbackToCloud ? null : cloud,
  });
}
