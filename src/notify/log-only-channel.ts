import type { MessageChannel } from "./message-channel.js";
import type { NotifyLogger } from "./notify-logger.js";

/** Telegram HTML back to plain text for a log line. */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/**
 * The channel used when Telegram is off (no token): logs what would have been sent and makes no network call,
 * so the notifier's decisions (policy, edits, digests) stay visible in monitor.log.
 */
export class LogOnlyChannel implements MessageChannel {
  private nextId = 1;

  constructor(private readonly logger: NotifyLogger) {}

  async send(html: string): Promise<number> {
    const id = this.nextId++;
    this.logger.info(`telegram off, would send #${id}: ${htmlToPlainText(html)}`);
    return id;
  }

  async edit(messageId: number, html: string): Promise<void> {
    this.logger.info(`telegram off, would edit #${messageId}: ${htmlToPlainText(html)}`);
  }
}
