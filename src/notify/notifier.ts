import type { Observable, Subscription } from "rxjs";
import type { CompiledRule, Incident } from "../types.js";
import { shouldOpenAlert, resolveNotifyPolicy } from "./decide-alert.js";
import { DigestCollector, formatDigest } from "./digest.js";
import { FloodGate } from "./flood-gate.js";
import { formatIncidentMessage } from "./format-incident-message.js";
import { formatRootCauseGroup, toRootCauseMember, type RootCauseMember } from "./format-root-cause-group.js";
import { htmlToPlainText, LogOnlyChannel } from "./log-only-channel.js";
import type { MessageButton, MessageChannel } from "./message-channel.js";
import { NOTIFIER_DEFAULTS, resolveTelegramSettings, type DeliveryOutcome, type NotifierOptions, type NotifyChannelName } from "./notifier-options.js";
import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { describeError } from "../util/describe-error.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "../util/clock.js";
import { createRedactingLogger } from "./redact-secrets.js";
import { findRootCause, type RootCauseRef } from "./root-cause.js";
import { toIncidentRecord } from "./to-incident-record.js";
import { SerialQueue, type QueueItem } from "./serial-queue.js";
import type { SessionSummary } from "./session-summary.js";
import { createTelegramChannel } from "./create-telegram-channel.js";
import { WebhookChannel } from "./webhook-channel.js";
import { EmailChannel } from "./email-channel.js";
import { FanOutChannel } from "./fan-out-channel.js";

/** What the incident manager reports that concerns the admin: an incident opened, a match folded into it, a state change. */
export type IncidentChange =
  | { type: "opened" | "folded"; incident: Incident; rule: CompiledRule }
  | {
      type: "transition";
      incident: Incident;
      rule: CompiledRule;
      /** Set when a failed root cause closed this incident; else `detalle: "causa raíz: <rule> <id>"` is read. */
      rootCause?: Incident | null;
    };

/**
 * Anything the incident manager emits: its other change kinds (`counted`, `skipped`, `warning`) are ignored here,
 * so its whole stream can be piped into `notify()`.
 */
export type NotifierInput = IncidentChange | { type: string };

const INCIDENT_CHANGE_TYPES: ReadonlySet<string> = new Set(["opened", "folded", "transition"]);

/** True for the change kinds the notifier acts on. */
function isIncidentChange(change: NotifierInput): change is IncidentChange {
  return INCIDENT_CHANGE_TYPES.has(change.type) && "incident" in change && "rule" in change && !!change.incident;
}

/** Counters for /metrics and the shutdown log. */
export interface NotifierStats {
  /** New Telegram messages delivered. */
  sent: number;
  /** Telegram messages edited in place. */
  edited: number;
  /** Messages that finally could not be delivered (after retries, and after the edit → new message fallback). */
  failed: number;
  /** Items dropped unsent: queue overflow, or still waiting at shutdown. */
  dropped: number;
  /** Items waiting now (Telegram + webhook). */
  queued: number;
  /** Telegram off: messages written to the log instead. */
  logged: number;
  /** Incidents counted into a digest instead of a message of their own. */
  digested: number;
  webhookSent: number;
  webhookFailed: number;
  /** The latest delivery that finally failed (Telegram or webhook), for the dashboard; null when none did. */
  lastFailure: { atMs: number; message: string } | null;
}

interface TelegramItem extends QueueItem {
  html: string;
  buttons?: readonly MessageButton[];
  /** What the item is about, for logs (`incident abc (timeout fallido)`). */
  label: string;
}

interface WebhookItem extends QueueItem {
  body: string;
  event: string;
  label: string;
}

/** The message that shows one incident, group or digest. messageId null = not delivered yet. */
interface TrackedMessage {
  messageId: number | null;
  html: string | null;
}

interface RootCauseGroup {
  root: RootCauseRef;
  members: Map<string, RootCauseMember>;
  timer: TimerHandle | null;
}

/** Most messages remembered for editing; the oldest are forgotten (a later change then sends a new message). */
const MAX_TRACKED = 5000;
/** Most root-cause groups remembered. */
const MAX_GROUPS = 500;

/**
 * Turns incident changes into admin alerts without ever slowing the pipeline: `notify()` is synchronous, decides
 * what to say (policy, severity, flood control, root-cause grouping) and hands the text to a bounded queue that
 * one async worker delivers in order, with retries.
 *
 * - One message per incident, kept current: once an incident has a message, every later change edits it
 *   (`editMessageText`); waiting edits of one incident coalesce (latest text wins); a failed edit sends a new one.
 * - Flood control counts new messages only (edits do not ping the admin): at most `maxPerMinute` per minute, and
 *   one per correlation key per `repeatWindowMs`; the rest are counted in a digest sent `digestIntervalMs` later.
 * - Incidents closed `fallido` by a failed root cause (`detalle: "causa raíz: …"`) share one grouped message.
 * - Nothing is lost silently: overflow drops the oldest non-critical item, and every drop or final failure is
 *   logged with its text and counted in `getStats()`.
 */
export class Notifier {
  /** False when Telegram is off (no token or chat id): alerts are logged, no network call is made. */
  readonly telegramOn: boolean;
  private readonly channel: MessageChannel;
  private readonly logger: NotifyLogger;
  private readonly webhook: WebhookChannel | null;
  private readonly email: EmailChannel | null = null;
  private readonly telegramQueue: SerialQueue<TelegramItem>;
  private readonly webhookQueue: SerialQueue<WebhookItem> | null;
  private readonly gate: FloodGate;
  private readonly digest = new DigestCollector();
  private readonly digestIntervalMs: number;
  private readonly groupWindowMs: number;
  private digestTimer: TimerHandle | null = null;
  private readonly clock: Clock;
  private readonly tracked = new Map<string, TrackedMessage>();
  private readonly groups = new Map<string, RootCauseGroup>();
  private lastFailure: NotifierStats["lastFailure"] = null;
  private readonly onDelivery: (channel: NotifyChannelName, outcome: DeliveryOutcome) => void;
  private readonly counters = { sent: 0, edited: 0, failed: 0, dropped: 0, logged: 0, digested: 0, webhookSent: 0, webhookFailed: 0 };
  private seq = 0;
  private closed = false;
  private readonly isSilenced: (errorType: string | null) => boolean;
  private readonly listIncidentButtons: (incident: Incident) => MessageButton[];

  constructor(options: NotifierOptions = {}) {
    this.isSilenced = options.isSilenced ?? (() => false);
    this.listIncidentButtons = options.listIncidentButtons ?? (() => []);
    const telegram = resolveTelegramSettings(options.telegram);
    const secrets = [
      ...(telegram.on ? [telegram.token] : []),
      ...Object.values(options.webhook?.headers ?? {}),
      ...(options.email?.password ? [options.email.password] : []),
    ];
    this.logger = createRedactingLogger(options.logger ?? SILENT_LOGGER, secrets);
    this.onDelivery = options.onDelivery ?? (() => {});
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.digestIntervalMs = options.digestIntervalMs ?? NOTIFIER_DEFAULTS.digestIntervalMs;
    this.groupWindowMs = options.groupWindowMs ?? NOTIFIER_DEFAULTS.groupWindowMs;
    this.gate = new FloodGate({
      maxPerWindow: options.maxPerMinute ?? NOTIFIER_DEFAULTS.maxPerMinute,
      windowMs: options.rateWindowMs ?? NOTIFIER_DEFAULTS.rateWindowMs,
      repeatWindowMs: options.repeatWindowMs ?? NOTIFIER_DEFAULTS.repeatWindowMs,
      clock,
    });

    if (options.channel) {
      this.channel = options.channel;
      this.telegramOn = true;
    } else if (telegram.on) {
      this.channel = createTelegramChannel(telegram, { logger: this.logger, clock, retry: options.telegramRetry });
      this.telegramOn = true;
      this.logger.info(`telegram on: alerts go to chat ${telegram.chatId}${telegram.apiRoot ? ` through ${telegram.apiRoot}` : ""}`);
    } else {
      this.channel = new LogOnlyChannel(this.logger);
      this.telegramOn = false;
      this.logger.info(`telegram off (${telegram.reason}): alerts are only logged`);
    }
    if (options.email) {
      this.email = new EmailChannel(options.email, { logger: this.logger, clock, ...options.emailRetry });
      this.channel = new FanOutChannel(this.channel, [{ name: "email", channel: this.email }], this.logger);
      this.logger.info(`email on: alerts also go to ${options.email.to.join(", ")} through ${this.email.server}`);
    }

    const queueLimit = options.queueLimit ?? NOTIFIER_DEFAULTS.queueLimit;
    this.telegramQueue = new SerialQueue<TelegramItem>({
      limit: queueLimit,
      process: (item, signal) => this.deliver(item, signal),
      onDrop: (item, reason) => {
        this.counters.dropped++;
        this.onDelivery(this.messageChannelName, "dropped");
        this.logger.warn(`alert dropped (${reason}): ${item.label}`, { text: htmlToPlainText(item.html) });
      },
    });

    this.webhook = options.webhook?.url
      ? new WebhookChannel({ url: options.webhook.url, headers: options.webhook.headers, logger: this.logger, clock, ...options.webhookRetry })
      : null;
    this.webhookQueue = this.webhook
      ? new SerialQueue<WebhookItem>({
          limit: queueLimit,
          process: (item, signal) => this.deliverWebhook(item, signal),
          onDrop: (item, reason) => {
            this.counters.dropped++;
            this.onDelivery("webhook", "dropped");
            this.logger.warn(`webhook post dropped (${reason}): ${item.label}`);
          },
        })
      : null;
  }

  /** Takes one incident change; synchronous, never throws, never waits for the network. */
  notify(change: NotifierInput): void {
    if (!isIncidentChange(change)) return;
    if (this.closed) {
      this.logger.debug(`notifier closed, ignoring a change of incident ${change.incident.id}`);
      return;
    }
    try {
      this.handleChange(change);
    } catch (error) {
      this.logger.error(`notifier could not handle a change of incident ${change.incident.id}`, { cause: describeError(error) });
    }
  }

  /** Notifies every change of an incident stream; unsubscribe to stop. */
  follow(changes$: Observable<NotifierInput>): Subscription {
    return changes$.subscribe((change) => this.notify(change));
  }

  /** Queues the session summary (Telegram, and the webhook as `session_summary`). */
  sendSessionSummary(summary: SessionSummary): void {
    const key = `summary:${++this.seq}`;
    this.gate.record();
    this.telegramQueue.push({ key, coalesce: false, critical: true, html: summary.html, label: "session summary" });
    this.webhookQueue?.push({
      key,
      coalesce: false,
      critical: true,
      event: "session_summary",
      label: "session summary",
      body: JSON.stringify({ event: "session_summary", text: summary.text, counts: summary.counts, duracion_ms: summary.durationMs }),
    });
  }

  /**
   * Queues one message that is not about an incident (an unforeseen error's first alert) under the same flood
   * control: one per `key` per repeat window (a repeat is dropped, logged), and within the per-minute budget (past
   * it, its first line is said in the next digest).
   */
  notifyText(key: string, html: string, label: string): void {
    if (this.closed) return;
    if (this.isSilenced(null)) {
      this.logger.info(`alert silenced (todo): ${label}`);
      return;
    }
    const verdict = this.gate.admit(key);
    if (verdict === "rate_limited") {
      this.counters.digested++;
      this.logger.warn(`alert held by flood control (${verdict}), said in the next digest: ${label}`, { text: htmlToPlainText(html) });
      this.digest.addNote(htmlToPlainText(html).split("\n")[0]!);
      this.scheduleDigest();
      return;
    }
    if (verdict === "repeat") {
      this.counters.dropped++;
      this.onDelivery(this.messageChannelName, "dropped");
      this.logger.warn(`alert held by flood control (${verdict}): ${label}`, { text: htmlToPlainText(html) });
      return;
    }
    this.telegramQueue.push({ key: `${key}:${++this.seq}`, coalesce: false, critical: false, html, label });
  }

  /** Sends what is waiting on a timer now: the digest and the grouped root-cause alerts. */
  flushPending(): void {
    for (const [key, group] of this.groups) {
      if (group.timer) {
        this.clock.clearTimeout(group.timer);
        group.timer = null;
        this.sendGroup(key, group);
      }
    }
    this.flushDigest();
  }

  /** Resolves when both queues are empty and idle (timers are not flushed: see `flushPending`). */
  async drain(): Promise<void> {
    await Promise.all([this.telegramQueue.idle(), this.webhookQueue?.idle()]);
  }

  /**
   * Graceful stop: flushes digests and groups, waits up to `timeoutMs` for delivery, then aborts what is left
   * (counted as dropped/failed and logged). Later `notify()` calls are ignored.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<NotifierStats> {
    if (!this.closed) {
      this.flushPending();
      this.closed = true;
      if (!(await this.drainWithin(options.timeoutMs ?? 5000))) {
        this.logger.warn("notifier: delivery did not finish before shutdown, dropping what is left");
        this.telegramQueue.abort();
        this.webhookQueue?.abort();
        await this.drainWithin(1000); // aborted calls settle at once; never hang a shutdown on them
      }
      this.email?.close();
      const s = this.getStats();
      this.logger.info(
        `notifier stopped: ${s.sent} sent, ${s.edited} edited, ${s.failed} failed, ${s.dropped} dropped, ${s.digested} digested, ${s.logged} logged`,
      );
    }
    return this.getStats();
  }

  /** Waits for the queues to empty, at most `timeoutMs`; true when they did. */
  private async drainWithin(timeoutMs: number): Promise<boolean> {
    let timer: TimerHandle | undefined;
    const drained = await Promise.race([
      this.drain().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = this.clock.setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    this.clock.clearTimeout(timer);
    return drained;
  }

  /** Messages waiting now, per channel: every configured channel is listed, also when its queue is empty. */
  getQueuedByChannel(): Partial<Record<NotifyChannelName, number>> {
    return { [this.messageChannelName]: this.telegramQueue.length, ...(this.webhookQueue ? { webhook: this.webhookQueue.length } : {}) };
  }

  /** The channel of the message queue: Telegram, or the log while Telegram is off. */
  private get messageChannelName(): "telegram" | "log" {
    return this.telegramOn ? "telegram" : "log";
  }

  getStats(): NotifierStats {
    return { ...this.counters, queued: this.telegramQueue.length + (this.webhookQueue?.length ?? 0), lastFailure: this.lastFailure };
  }

  private handleChange(change: IncidentChange): void {
    const { type, incident, rule } = change;
    const policy = resolveNotifyPolicy(incident, rule);
    if (type !== "folded" && shouldOpenAlert(policy, incident)) this.queueWebhook(type, incident);
    // An incident counted in a pending digest stays there; the digest will show its latest state. Except a critical
    // failure (a bot that will not be restarted again): it leaves the digest for a message of its own, now.
    const failedCritical = incident.estado === "fallido" && incident.severidad === "critical";
    if (!(failedCritical && this.digest.remove(incident.id)) && this.digest.update(incident)) return;
    const key = `incident:${incident.id}`;
    const root = findRootCause(incident, change.type === "transition" ? change.rootCause : null);
    if (this.tracked.has(key)) {
      this.queueIncidentMessage(key, incident, rule);
      if (root) this.addToRootGroup(root, incident);
      return;
    }
    if (type === "folded" || !shouldOpenAlert(policy, incident)) return;
    // A silence stops new messages only: one already on the admin's screen keeps being updated (edits ring nothing).
    if (this.isSilenced(incident.error_type)) {
      this.logger.debug(`incident ${incident.id} (${incident.error_type} ${incident.estado}): alert silenced`);
      return;
    }
    if (root) {
      this.addToRootGroup(root, incident);
      return;
    }
    // A key whose earlier incidents were fixed (a bot restarted twice) failing now is news, not a repeat.
    const verdict = this.gate.admit(incident.estado === "fallido" ? `${incident.clave}\u0000fallido` : incident.clave);
    if (verdict !== "allow") {
      this.addToDigest(incident, verdict);
      return;
    }
    this.tracked.set(key, { messageId: null, html: null });
    this.queueIncidentMessage(key, incident, rule);
  }

  private queueIncidentMessage(key: string, incident: Incident, rule: CompiledRule): void {
    this.telegramQueue.push({
      key,
      coalesce: true,
      critical: incident.severidad === "critical",
      // formatted now: the incident object keeps changing after this call
      html: formatIncidentMessage(incident, rule),
      buttons: this.listIncidentButtons(incident),
      label: `incident ${incident.id} (${incident.error_type} ${incident.estado})`,
    });
  }

  private queueWebhook(type: IncidentChange["type"], incident: Incident): void {
    this.webhookQueue?.push({
      key: `webhook:${++this.seq}`,
      coalesce: false,
      critical: incident.severidad === "critical",
      event: type,
      body: JSON.stringify(toIncidentRecord(incident)),
      label: `incident ${incident.id} (${incident.error_type} ${incident.estado})`,
    });
  }

  private addToDigest(incident: Incident, reason: "rate_limited" | "repeat"): void {
    this.digest.add(incident);
    this.counters.digested++;
    this.logger.debug(`incident ${incident.id} (${incident.error_type}) goes to the digest: ${reason}`);
    this.scheduleDigest();
  }

  private scheduleDigest(): void {
    if (!this.digestTimer && !this.closed) {
      this.digestTimer = this.clock.setTimeout(() => this.flushDigest(), this.digestIntervalMs);
      unrefTimer(this.digestTimer);
    }
  }

  private flushDigest(): void {
    this.clock.clearTimeout(this.digestTimer);
    this.digestTimer = null;
    if (this.digest.size === 0) return;
    const html = formatDigest(this.digest.take(), this.digestIntervalMs);
    this.gate.record();
    this.telegramQueue.push({ key: `digest:${++this.seq}`, coalesce: false, critical: true, html, label: "digest" });
  }

  private addToRootGroup(root: RootCauseRef, incident: Incident): void {
    const key = `root:${root.incidentId}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { root, members: new Map(), timer: null };
      this.groups.set(key, group);
      this.forgetOldGroups();
    }
    group.members.set(incident.id, toRootCauseMember(incident));
    if (this.tracked.has(key)) {
      this.sendGroup(key, group); // already announced: keep that message current
    } else if (!group.timer) {
      // dependants close together when their root fails: wait a moment so one message names them all
      group.timer = this.clock.setTimeout(() => {
        group!.timer = null;
        this.sendGroup(key, group!);
      }, this.groupWindowMs);
      unrefTimer(group.timer);
    }
  }

  private sendGroup(key: string, group: RootCauseGroup): void {
    if (!this.tracked.has(key)) {
      this.tracked.set(key, { messageId: null, html: null });
      this.gate.record();
    }
    const html = formatRootCauseGroup(group.root, [...group.members.values()]);
    this.telegramQueue.push({ key, coalesce: true, critical: true, html, label: `root cause ${group.root.incidentId}` });
  }

  private forgetOldGroups(): void {
    for (const [key, group] of this.groups) {
      if (this.groups.size <= MAX_GROUPS) break;
      if (group.timer) continue;
      this.groups.delete(key);
    }
  }

  /** Delivers one message: edit when the key already has a message (new message if the edit fails), else send. */
  private async deliver(item: TelegramItem, signal: AbortSignal): Promise<void> {
    const tracked = this.tracked.get(item.key);
    if (tracked && tracked.messageId !== null) {
      if (tracked.html === item.html) return; // nothing changed in what the admin sees
      try {
        await this.channel.edit(tracked.messageId, item.html, signal, item.buttons);
        tracked.html = item.html;
        this.count("edited");
        return;
      } catch (error) {
        if (signal.aborted) return this.reportFailure(item, error);
        this.logger.warn(`could not edit the message of ${item.label}, sending a new one`, { cause: describeError(error) });
      }
    }
    try {
      const messageId = await this.channel.send(item.html, signal, item.buttons);
      this.remember(item.key, messageId, item.html);
      this.count("sent");
    } catch (error) {
      this.reportFailure(item, error);
    }
  }

  private reportFailure(item: TelegramItem, error: unknown): void {
    this.counters.failed++;
    this.onDelivery(this.messageChannelName, "failed");
    const cause = describeError(error);
    this.lastFailure = { atMs: this.clock.now(), message: `Telegram: ${cause}` };
    this.logger.error(`alert not delivered: ${item.label}`, { cause, text: htmlToPlainText(item.html) });
  }

  private count(what: "sent" | "edited"): void {
    if (this.telegramOn) this.counters[what]++;
    else this.counters.logged++;
    if (what === "sent") this.onDelivery(this.messageChannelName, "sent");
  }

  private remember(key: string, messageId: number, html: string): void {
    this.tracked.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.tracked.set(key, { messageId, html });
    while (this.tracked.size > MAX_TRACKED) this.tracked.delete(this.tracked.keys().next().value!);
  }

  private async deliverWebhook(item: WebhookItem, signal: AbortSignal): Promise<void> {
    const result = await this.webhook!.post(item.body, item.event, signal);
    if (result.ok) {
      this.counters.webhookSent++;
      this.onDelivery("webhook", "sent");
      return;
    }
    this.counters.webhookFailed++;
    this.onDelivery("webhook", "failed");
    this.lastFailure = { atMs: this.clock.now(), message: `webhook ${this.webhook!.origin}: ${result.error ?? "?"}` };
    this.logger.error(
      `webhook ${this.webhook!.origin}: ${item.label} not delivered after ${result.attempts} attempt(s): ${result.error ?? "?"}`,
    );
  }
}
