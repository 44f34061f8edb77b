/**
 * Where alert texts go. The notifier decides what to say; a channel only delivers (Telegram through grammY, or the
 * log when Telegram is off). Texts are Telegram HTML (`parse_mode: "HTML"`), already escaped and cut to fit.
 */
export interface MessageChannel {
  /** Sends a new message; resolves to its message id. */
  send(html: string, signal?: AbortSignal): Promise<number>;
  /** Replaces the text of a message sent earlier. */
  edit(messageId: number, html: string, signal?: AbortSignal): Promise<void>;
}
