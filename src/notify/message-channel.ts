/**
 * Where alert texts go. The notifier decides what to say; a channel only delivers (Telegram through grammY, or the
 * log when Telegram is off). Texts are Telegram HTML (`parse_mode: "HTML"`), already escaped and cut to fit.
 */
export interface MessageChannel {
  /** Sends a new message, with `buttons` under it when given; resolves to its message id. */
  send(html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<number>;
  /** Replaces the text of a message sent earlier; its buttons become `buttons` (none when absent). */
  edit(messageId: number, html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<void>;
}

/** An inline button under a message: its label, and the data Telegram hands back to the bot when it is pressed. */
export interface MessageButton {
  text: string;
  /** At most 64 bytes (Telegram's callback_data limit). */
  data: string;
}
