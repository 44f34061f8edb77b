/**
 * Alerts by email, as the seed's server monitor sent them (`SMTP_SERVER`, `SMTP_PORT`, `SMTP_USERNAME`,
 * `SMTP_PASSWORD`, `EMAIL_RECIPIENT`). The notifier decides what to say (policies, flood control, digests) and
 * hands the same Telegram HTML to every channel; this one mails it through nodemailer. A mail cannot be edited, so
 * an edit (the incident moved on: solucionado, fallido) is mailed as a reply in the first mail's thread
 * (`In-Reply-To`/`References`), which mail clients show as one conversation per incident.
 */
import type { Transporter } from "nodemailer";
import { isLoopbackHost } from "../config/parse-listen-address.js";
import type { EmailConfig } from "../config/types.js";
import { htmlToPlainText } from "./log-only-channel.js";
import type { MessageChannel } from "./message-channel.js";
import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { waitMs } from "../util/wait-ms.js";
import { systemClock, type Clock } from "../util/clock.js";
import { getBackoffDelayMs } from "../util/backoff-delay.js";

export interface EmailChannelOptions {
  logger?: NotifyLogger;
  /** The waits between attempts. Default systemClock. */
  clock?: Clock;
  /** Waits before each retry of a transient failure; its length is the number of retries. Default [1000, 2000, 4000]. */
  backoffMs?: readonly number[];
  /** Connection, greeting and socket timeout of one attempt. Default 15 000. */
  timeoutMs?: number;
}

const SUBJECT_MAX_CHARS = 120;

/**
 * Whether an SMTP failure is worth another attempt: connection problems, timeouts and 4xx answers ("try again
 * later") are; 5xx answers (bad recipient, authentication refused) are not.
 */
function isTransientSmtpFailure(error: unknown): boolean {
  const e = error as { responseCode?: unknown; code?: unknown } | null;
  if (typeof e?.responseCode === "number") return e.responseCode >= 400 && e.responseCode < 500;
  return true;
}

/** What went wrong, without the server's echo of addresses or credentials beyond the SMTP code and text. */
function describeSmtpFailure(error: unknown): string {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof e?.responseCode === "number") return `SMTP ${e.responseCode}${typeof e.code === "string" ? ` (${e.code})` : ""}`;
  if (typeof e?.code === "string") return e.code;
  return typeof e?.message === "string" ? e.message : String(error);
}

/** The subject: vigia's name and the message's first line (its Spanish header, e.g. "✅ Solucionado: …"). */
function subjectOf(html: string): string {
  const first = htmlToPlainText(html).split("\n").find((line) => line.trim() !== "") ?? "aviso";
  const subject = `vigia: ${first.trim()}`;
  return subject.length <= SUBJECT_MAX_CHARS ? subject : `${subject.slice(0, SUBJECT_MAX_CHARS - 1)}…`;
}

/** Telegram HTML (b, i, code, pre, a and newlines) as a mail body: the same tags, newlines kept. */
function toMailHtml(html: string): string {
  return `<div style="font-family:sans-serif;white-space:pre-wrap">${html}</div>`;
}

export class EmailChannel implements MessageChannel {
  /** Made on the first mail (nodemailer is imported then, not when vigia starts). */
  private transport: Promise<Transporter> | null = null;
  private readonly timeoutMs: number;
  private readonly logger: NotifyLogger;
  private readonly clock: Clock;
  private readonly backoffMs: readonly number[];
  /** Message id → the Message-ID header of its first mail, for threading the edits. */
  private readonly threads = new Map<number, string>();
  private nextId = 1;
  /** `host:port`, for logs (never the login). */
  readonly server: string;

  constructor(
    private readonly settings: EmailConfig,
    options: EmailChannelOptions = {},
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.clock = options.clock ?? systemClock;
    this.backoffMs = options.backoffMs ?? [1000, 2000, 4000];
    this.server = `${settings.host}:${settings.port}`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async send(html: string, signal?: AbortSignal): Promise<number> {
    const id = this.nextId++;
    const messageId = await this.mail(html, {}, signal);
    this.threads.set(id, messageId);
    this.forgetOldThreads();
    return id;
  }

  async edit(messageId: number, html: string, signal?: AbortSignal): Promise<void> {
    const first = this.threads.get(messageId);
    await this.mail(html, first ? { inReplyTo: first, references: [first] } : {}, signal);
  }

  close(): void {
    // A transport whose import failed has nothing to close (its failure was each send's to report).
    void this.transport?.then((transport) => transport.close(), () => undefined);
  }

  private openTransport(): Promise<Transporter> {
    const { settings, timeoutMs } = this;
    this.transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        // A password never crosses the network in clear: to another machine, STARTTLS is required.
        requireTLS: !settings.secure && settings.user !== null && !isLoopbackHost(settings.host),
        auth: settings.user !== null ? { user: settings.user, pass: settings.password ?? "" } : undefined,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    );
    return this.transport;
  }

  /** Mails one message with retries on transient failures; resolves to its Message-ID, rejects with the last failure. */
  private async mail(html: string, thread: { inReplyTo?: string; references?: string[] }, signal?: AbortSignal): Promise<string> {
    const message = {
      from: this.settings.from,
      to: this.settings.to,
      subject: subjectOf(html),
      text: htmlToPlainText(html),
      html: toMailHtml(html),
      ...thread,
    };
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new Error("aborted");
      try {
        const transport = await this.openTransport();
        const info = (await transport.sendMail(message)) as { messageId: string };
        return info.messageId;
      } catch (error) {
        const reason = describeSmtpFailure(error);
        if (!isTransientSmtpFailure(error) || attempt >= this.backoffMs.length) {
          throw new Error(`email through ${this.server} failed after ${attempt + 1} attempt(s): ${reason}`, { cause: error });
        }
        const delayMs = getBackoffDelayMs(attempt + 1, this.backoffMs);
        this.logger.debug(`email through ${this.server}: ${reason}, retrying in ${delayMs} ms`);
        await waitMs(delayMs, signal, this.clock); // aborted: the check at the top of the loop ends it
      }
    }
  }

  /** Threads of old messages are dropped: edits come within an incident's life, not months later. */
  private forgetOldThreads(): void {
    const keep = 1000;
    if (this.threads.size <= keep) return;
    for (const id of this.threads.keys()) {
      this.threads.delete(id);
      if (this.threads.size <= keep) break;
    }
  }
}
