import type { DeliveryOutcome, NotifyChannelName } from "../notify/notifier-options.js";
import type { VigiaMetrics } from "./metrics.js";

/** The notifier's `onDelivery`: counts each message sent, failed or dropped, per channel. */
export function createDeliveryRecorder(metrics: VigiaMetrics): (channel: NotifyChannelName, outcome: DeliveryOutcome) => void {
  const counters = { sent: metrics.notificationsSent, failed: metrics.notificationsFailed, dropped: metrics.notificationsDropped };
  return (channel, outcome) => counters[outcome].inc({ channel });
}

/**
 * Makes the queued gauge read the notifier's queues at each scrape, and sets the counters of every configured
 * channel to 0 before its first message.
 */
export function trackNotifierQueues(metrics: VigiaMetrics, readQueued: () => Partial<Record<NotifyChannelName, number>>): void {
  for (const channel of Object.keys(readQueued())) {
    for (const counter of [metrics.notificationsSent, metrics.notificationsFailed, metrics.notificationsDropped]) counter.inc({ channel }, 0);
  }
  metrics.readOnScrape(metrics.notificationsQueued, (gauge) => {
    gauge.reset();
    for (const [channel, n] of Object.entries(readQueued())) gauge.set({ channel }, n ?? 0);
  });
}
