import type { Api } from "grammy";
import { getBackoffDelayMs } from "../util/backoff-delay.js";
import type { MessageButton, MessageChannel } from "./message-channel.js";
import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { describeError } from "../util/describe-error.js";
import { createRedactingLogger, redactSecrets } from "./redact-secrets.js";
import { waitMs } from "../util/wait-ms.js";
import { systemClock, type Clock } from "../util/clock.js";
import { TelegramSendError } from "./telegram-send-error.js";

/** The public Bot API, used when no local server is configured or while the local one is unreachable. */
export const CLOUD_API_ROOT = "https://api.telegram.org";

export interface TelegramChannelOptions {
  /** Bot token (from BotFather). Never logged. */
  token: string;
  /** The admin's chat id (`ADMIN_ID`). */
  chatId: number | string;
  /** A local Bot API server (`TELEGRAM_BOT_API_LOCAL_URL`); null/undefined = the cloud API only. */
  apiRoot?: string | null;
  /** Where to fall back when `apiRoot` is unreachable; null disables the fallback. Default: the cloud API. */
  cloudApiRoot?: string | null;
  /** After the local server was unreachable, use the fallback for this long before trying local again. Default 60 000. */
  localRetryAfterMs?: number;
  /** How long a message keeps being retried while no Bot API server can be reached at all. Default 10 min. */
  maxUnreachableMs?: number;
  /** Attempts per call, the first included, for 5xx and network errors. Default 5. */
  maxAttempts?: number;
  /** Waits between attempts on 5xx/network errors; the last value repeats. Default [1000, 2000, 4000, 8000, 16000]. */
  backoffMs?: readonly number[];
  /**
   * Longest `retry_after` worth waiting for, in seconds. Default 60. Beyond it the call fails: an alert an hour late
   * is worth less than the alerts queued behind it.
   */
  maxRetryAfterSeconds?: number;
  /** grammY's per-request timeout; its default (500 s) would stall the queue behind one hung request. Default 15. */
  requestTimeoutSeconds?: number;
  logger?: NotifyLogger;
  /** The backoff's waits and the local server's time-out of favour. Default systemClock. */
  clock?: Clock;
}

/** grammY's Node build types signals with the `abort-controller` polyfill; a native AbortSignal works the same. */
type GrammySignal = Parameters<Api["getMe"]>[0];

interface ApiTarget {
  apiRoot: string;
  /** Made on the target's first call. */
  api: Api | null;
  isLocal: boolean;
}

/**
 * grammY, its retry plugin and the error classifier built on grammY's classes, imported on the first Bot API call:
 * a vigia whose Telegram is off never loads them (about 10 MB of memory).
 */
let grammyModules: Promise<{
  grammy: typeof import("grammy");
  autoRetry: typeof import("@grammyjs/auto-retry").autoRetry;
  classify: typeof import("./classify-telegram-error.js");
}> | null = null;
function importGrammy(): NonNullable<typeof grammyModules> {
  grammyModules ??= Promise.all([import("grammy"), import("@grammyjs/auto-retry"), import("./classify-telegram-error.js")]).then(
    ([grammy, retry, classify]) => ({ grammy, autoRetry: retry.autoRetry, classify }),
  );
  return grammyModules;
}

/**
 * Sends and edits messages in one chat through grammY's `Api` — send only: it never calls `getUpdates` (which
 * would steal the bot's own updates and make it fail with 409 Conflict) and never starts a `Bot`.
 *
 * Retries: a 429 `retry_after` is honoured by `@grammyjs/auto-retry` inside each call and nowhere else (bounded by
 * `maxRetryAfterSeconds`, so a huge retry_after surfaces instead of hanging, and then the message is given up);
 * 5xx and network errors are rethrown by the plugin on purpose so that `classifyTelegramError` decides them here
 * with our own backoff, on the injected clock. Its defaults would retry forever with waits up to an hour — a trap for a queue
 * that must keep moving.
 */
export class TelegramChannel implements MessageChannel {
  private readonly local: ApiTarget | null;
  private readonly cloud: ApiTarget | null;
  private readonly logger: NotifyLogger;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly backoffMs: readonly number[];
  private readonly localRetryAfterMs: number;
  private localDownUntilMs = 0;
  private readonly maxUnreachableMs: number;

  constructor(private readonly options: TelegramChannelOptions) {
    this.logger = createRedactingLogger(options.logger ?? SILENT_LOGGER, [options.token]);
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffMs = options.backoffMs?.length ? options.backoffMs : [1000, 2000, 4000, 8000, 16000];
    this.localRetryAfterMs = options.localRetryAfterMs ?? 60_000;
    this.maxUnreachableMs = options.maxUnreachableMs ?? 10 * 60_000;
    const cloudRoot = options.cloudApiRoot === undefined ? CLOUD_API_ROOT : options.cloudApiRoot;
    const localRoot = options.apiRoot ? normalizeApiRoot(options.apiRoot) : null;
    this.local = localRoot ? { apiRoot: localRoot, api: null, isLocal: true } : null;
    this.cloud =
      cloudRoot && normalizeApiRoot(cloudRoot) !== localRoot ? { apiRoot: normalizeApiRoot(cloudRoot), api: null, isLocal: false } : null;
  }

  async send(html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<number> {
    const message = await this.call(
      "sendMessage",
      (api) =>
        api.sendMessage(
          this.options.chatId,
          html,
          { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...toReplyMarkup(buttons) },
          signal as GrammySignal,
        ),
      signal,
    );
    return message.message_id;
  }

  async edit(messageId: number, html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<void> {
    await this.call(
      "editMessageText",
      async (api) => {
        try {
          await api.editMessageText(
            this.options.chatId,
            messageId,
            html,
            { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...toReplyMarkup(buttons) },
            signal as GrammySignal,
          );
        } catch (error) {
          if (!(await importGrammy()).classify.isNotModifiedError(error)) throw error; // already showing this text: done
        }
      },
      signal,
    );
  }

  /** Checks the token with `getMe` (not `getUpdates`); resolves to the bot's username. */
  async getBotUsername(signal?: AbortSignal): Promise<string> {
    const me = await this.call("getMe", (api) => api.getMe(signal as GrammySignal), signal);
    return me.username;
  }

  private createApi({ grammy, autoRetry }: Awaited<ReturnType<typeof importGrammy>>, apiRoot: string): Api {
    const api = new grammy.Api(this.options.token, { apiRoot, timeoutSeconds: this.options.requestTimeoutSeconds ?? 15 });
    api.config.use(
      autoRetry({
        maxRetryAttempts: 2,
        maxDelaySeconds: this.options.maxRetryAfterSeconds ?? 60,
        rethrowInternalServerErrors: true,
        rethrowHttpErrors: true,
      }),
    );
    return api;
  }

  /** The local server unless it was found unreachable recently; else the cloud API. */
  private pickTarget(): ApiTarget {
    if (this.local && (this.clock.now() >= this.localDownUntilMs || !this.cloud)) return this.local;
    return (this.cloud ?? this.local)!;
  }

  /** Runs one Bot API call with the retry policy; throws a `TelegramSendError` (redacted) when it finally fails. */
  private async call<T>(method: string, run: (api: Api) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const secrets = [this.options.token];
    let switchedToCloud = false;
    const startedMs = this.clock.now();
    let lastCause = "";
    const modules = await importGrammy();
    const { classifyTelegramError, isUnreachableError } = modules.classify;
    for (let attempt = 1; ; attempt++) {
      const target = switchedToCloud ? this.cloud! : this.pickTarget();
      try {
        target.api ??= this.createApi(modules, target.apiRoot);
        return await run(target.api);
      } catch (error) {
        const errorCode = error instanceof modules.grammy.GrammyError ? error.error_code : null;
        // The abort's own error says nothing: report the failure that kept the call going until then.
        if (signal?.aborted) throw new TelegramSendError(method, attempt, "give_up", errorCode, lastCause, true);
        const causeText = redactSecrets(describeError(error), secrets);
        lastCause = causeText;
        if (target.isLocal && this.cloud && !switchedToCloud && isUnreachableError(error)) {
          switchedToCloud = true;
          this.localDownUntilMs = this.clock.now() + this.localRetryAfterMs;
          this.logger.warn(`local Bot API unreachable, using the cloud API for ${this.localRetryAfterMs} ms`, { method, cause: causeText });
          attempt--; // switching servers is not a retry of the same server
          continue;
        }
        const unreachable = isUnreachableError(error);
        if (unreachable && !target.isLocal && this.local) {
          // The cloud is unreachable too (no route, no DNS): go back to the local server on the next attempt
          // instead of spending every attempt on the cloud while the local one may be back already.
          switchedToCloud = false;
          this.localDownUntilMs = 0;
        }
        const decision = classifyTelegramError(error);
        const delayMs = getBackoffDelayMs(attempt, this.backoffMs);
        // While no server can be reached, a message is not given up after maxAttempts: it keeps waiting (capped
        // backoff) for `maxUnreachableMs`, so an outage of the local Bot API loses no alert. Answers keep the bound.
        const stillWaiting = unreachable && this.clock.now() - startedMs < this.maxUnreachableMs;
        if (decision === "give_up" || (attempt >= this.maxAttempts && !stillWaiting)) {
          throw new TelegramSendError(method, attempt, decision, errorCode, causeText);
        }
        this.logger.debug(`telegram ${method} failed, retrying in ${delayMs} ms`, { attempt, decision, cause: causeText });
        if (!(await waitMs(delayMs, signal, this.clock))) throw new TelegramSendError(method, attempt, "give_up", errorCode, causeText, true);
      }
    }
  }
}

/** Buttons as one row of an inline keyboard; nothing when there are none. */
function toReplyMarkup(buttons: readonly MessageButton[] | undefined) {
  if (!buttons?.length) return {};
  return { reply_markup: { inline_keyboard: [buttons.map((b) => ({ text: b.text, callback_data: b.data }))] } };
}

/** grammY refuses an apiRoot with a trailing slash; accept one anyway. */
function normalizeApiRoot(root: string): string {
  return root.replace(/\/+$/, "");
}
