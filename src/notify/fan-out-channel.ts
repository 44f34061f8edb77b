import { describeError } from "../util/describe-error.js";
import type { MessageButton, MessageChannel } from "./message-channel.js";
import type { NotifyLogger } from "./notify-logger.js";

/**
 * One message to several channels (Telegram and email): the notifier's policies, flood control and digests run
 * once, and every channel delivers the same text. The first channel's message ids are the notifier's; the others'
 * are mapped to them so an edit reaches each channel's own message. Buttons go to the first channel only: the
 * admin presses them on Telegram, where the command bot hears them. A failing extra channel is logged and does
 * not fail the message: one dead mail server must not stop the Telegram alert, and vice versa.
 */
export class FanOutChannel implements MessageChannel {
  /** First channel's id → each extra channel's id (null when its send failed). */
  private readonly ids = new Map<number, Array<number | null>>();

  constructor(
    private readonly first: MessageChannel,
    private readonly extras: ReadonlyArray<{ name: string; channel: MessageChannel }>,
    private readonly logger: NotifyLogger,
  ) {}

  async send(html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<number> {
    const [first, ...extras] = await Promise.allSettled([
      this.first.send(html, signal, buttons),
      ...this.extras.map(({ channel }) => channel.send(html, signal)),
    ]);
    const extraIds = extras.map((result, i) => {
      if (result.status === "fulfilled") return result.value;
      this.logger.warn(`${this.extras[i]!.name} alert not delivered: ${describeError(result.reason)}`);
      return null;
    });
    if (first!.status === "rejected") throw first!.reason;
    this.ids.set(first!.value, extraIds);
    if (this.ids.size > 1000) this.ids.delete(this.ids.keys().next().value!);
    return first!.value;
  }

  async edit(messageId: number, html: string, signal?: AbortSignal, buttons?: readonly MessageButton[]): Promise<void> {
    const extraIds = this.ids.get(messageId) ?? [];
    const [first, ...extras] = await Promise.allSettled([
      this.first.edit(messageId, html, signal, buttons),
      ...this.extras.map(({ channel }, i) => {
        const id = extraIds[i];
        // The extra channel never got the first message: send the update as a new one.
        return id === undefined || id === null ? channel.send(html, signal) : channel.edit(id, html, signal);
      }),
    ]);
    extras.forEach((result, i) => {
      if (result.status === "rejected") this.logger.warn(`${this.extras[i]!.name} update not delivered: ${describeError(result.reason)}`);
    });
    if (first!.status === "rejected") throw first!.reason;
  }
}
