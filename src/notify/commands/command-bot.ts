import { Bot, GrammyError, type Context } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { htmlToPlainText } from "../log-only-channel.js";
import type { NotifyLogger } from "../notify-logger.js";
import { describeError } from "../../util/describe-error.js";
import { systemClock, type Clock, type TimerHandle } from "../../util/clock.js";
import { createRedactingLogger } from "../redact-secrets.js";
import type { AdminView } from "./admin-view.js";
import { parseButtonData } from "./incident-buttons.js";
import { parseCommand, type ParsedCommand } from "./parse-command.js";
import { formatHelp, runAdminCommand } from "./run-admin-command.js";

export interface CommandBotOptions {
  /** `notify.telegram.commands_token`: a bot of vigia's own, never the download bot's (whose updates are its own). */
  token: string;
  /** `ADMIN_ID`: the only Telegram user whose messages and button presses are answered. */
  adminId: string;
  /** A local Bot API or a test server, as for alerts; null = the cloud API. */
  apiRoot: string | null;
  view: AdminView;
  logger: NotifyLogger;
  /** The time commands are answered at (ages, silences) and the stop's wait. Default systemClock. */
  clock?: Clock;
}

/** Senders remembered as already logged; past it the log may repeat a sender (memory stays bounded). */
const MAX_STRANGERS_REMEMBERED = 1000;
/** A stop never waits longer than this for the last `getUpdates` (an unreachable Bot API must not hold a shutdown). */
const STOP_TIMEOUT_MS = 3000;
/** Telegram's limit for the toast of an answered button press. */
const MAX_CALLBACK_ANSWER_CHARS = 200;

/**
 * The admin's side of Telegram: long-polls `getUpdates` of the command bot with grammY and answers the admin's
 * commands and alert buttons in Spanish. Everyone else gets no answer at all (a bot's username is public), and is
 * logged once. Polling failures are grammY's to retry; a refused token or a second poller stops commands (logged),
 * never vigia.
 */
export class CommandBot {
  private readonly bot: Bot;
  private readonly logger: NotifyLogger;
  private readonly strangers = new Set<number>();
  private polling: Promise<void> | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: CommandBotOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = createRedactingLogger(options.logger, [options.token]);
    this.bot = new Bot(options.token, { client: { ...(options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, "") } : {}), timeoutSeconds: 60 } });
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 60 }));
    this.bot.use((ctx, next) => (this.isAdmin(ctx) ? next() : this.ignoreStranger(ctx)));
    this.bot.on("message:text", (ctx) => this.answerMessage(ctx, ctx.message.text));
    this.bot.on("callback_query:data", (ctx) => this.answerButton(ctx, ctx.callbackQuery.data));
    this.bot.catch((error) => this.logger.error(`telegram commands: could not answer update ${error.ctx.update.update_id}: ${describeError(error.error)}`));
  }

  /** Starts polling in the background; resolves at once (commands are answered once `getMe` got through). */
  start(): void {
    if (this.polling) return;
    if (!/^\d+$/.test(this.options.adminId)) {
      this.logger.warn(`telegram commands off: notify.telegram.chat_id (${this.options.adminId}) is not a user id, so no sender can be told to be the admin`);
      return;
    }
    this.polling = this.bot
      .start({
        allowed_updates: ["message", "callback_query"],
        onStart: (me) => this.logger.info(`telegram commands: polling as @${me.username}, answering user ${this.options.adminId} only`),
      })
      .catch((error: unknown) => this.logger.error(`telegram commands stopped: ${describePollingFailure(error)}`));
  }

  /** Stops polling (confirming the updates already answered), waiting at most a few seconds. */
  async stop(): Promise<void> {
    if (!this.polling) return;
    let timer: TimerHandle | undefined;
    const stopped = Promise.all([this.bot.stop(), this.polling]).catch((error: unknown) => {
      this.logger.debug(`telegram commands: stop: ${describeError(error)}`);
    });
    await Promise.race([stopped, new Promise((resolve) => (timer = this.clock.setTimeout(() => resolve(undefined), STOP_TIMEOUT_MS)))]);
    this.clock.clearTimeout(timer);
  }

  private isAdmin(ctx: Context): boolean {
    return ctx.from !== undefined && String(ctx.from.id) === this.options.adminId;
  }

  private ignoreStranger(ctx: Context): void {
    const id = ctx.from?.id;
    if (id === undefined || this.strangers.has(id)) return;
    if (this.strangers.size >= MAX_STRANGERS_REMEMBERED) this.strangers.clear();
    this.strangers.add(id);
    const name = ctx.from?.username ? ` (@${ctx.from.username})` : "";
    this.logger.warn(`telegram commands: ignoring user ${id}${name}: only ADMIN_ID may give commands (logged once per sender)`);
  }

  private async answerMessage(ctx: Context, text: string): Promise<void> {
    const startedMs = performance.now();
    const command = parseCommand(text);
    const html = command ? await this.run(command) : formatHelp();
    await this.reply(ctx, html);
    if (command) this.logAnswered(command, "", startedMs);
  }

  private async answerButton(ctx: Context, data: string): Promise<void> {
    const startedMs = performance.now();
    const command = parseButtonData(data);
    if (!command) {
      await ctx.answerCallbackQuery({ text: "Botón desconocido" });
      return;
    }
    const html = await this.run(command);
    await ctx.answerCallbackQuery({ text: cutPlain(htmlToPlainText(html.split("\n")[0]!), MAX_CALLBACK_ANSWER_CHARS) });
    await this.reply(ctx, html);
    this.logAnswered(command, " (button)", startedMs);
  }

  private run(command: ParsedCommand): Promise<string> {
    return runAdminCommand(this.options.view, command, this.clock.now());
  }

  /**
   * One line per command, with how long vigia took from receiving it to the Bot API accepting the reply: the
   * admin's wait, less the Bot API's own delivery.
   */
  private logAnswered(command: ParsedCommand, how: string, startedMs: number): void {
    const args = command.args.length ? ` ${command.args.join(" ")}` : "";
    this.logger.info(`telegram commands: /${command.name}${args} from the admin${how} answered in ${Math.round(performance.now() - startedMs)} ms`);
  }

  private async reply(ctx: Context, html: string): Promise<void> {
    await ctx.reply(html, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
  }
}

/** Why polling ended, for the log: a refused token and a second poller are the operator's to fix. */
function describePollingFailure(error: unknown): string {
  if (error instanceof GrammyError && error.error_code === 401) return "the Bot API refused notify.telegram.commands_token (401 Unauthorized)";
  if (error instanceof GrammyError && error.error_code === 409) return "another process polls this bot's updates (409 Conflict): use a bot of vigia's own";
  return describeError(error);
}

function cutPlain(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}
