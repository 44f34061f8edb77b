import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { waitMs } from "../util/wait-ms.js";
import { createTimeoutSignal, systemClock, type Clock } from "../util/clock.js";
import { describeFetchError } from "../util/describe-fetch-error.js";
import { getBackoffDelayMs } from "../util/backoff-delay.js";

export interface WebhookChannelOptions {
  /** Where incidents are POSTed as JSON (`notify.webhook.url`; n8n, a Slack bridge…). */
  url: string;
  /** Extra headers (`notify.webhook.headers`), e.g. an auth token. Never logged. */
  headers?: Readonly<Record<string, string>>;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Waits before each retry; the last value repeats. Default [1000, 2000, 4000]. */
  backoffMs?: readonly number[];
  /** Per-attempt timeout. Default 5000. */
  timeoutMs?: number;
  /** Longest `Retry-After` (429/503) honoured, in ms; longer waits use the backoff instead. Default 30 000. */
  maxRetryAfterMs?: number;
  logger?: NotifyLogger;
  /** The per-attempt timeout, the waits between attempts, durations and Retry-After dates. Default systemClock. */
  clock?: Clock;
}

/** The outcome of one POST, retries included: a record, like an action result. */
export interface WebhookResult {
  ok: boolean;
  /** Last HTTP status, or null when no response came (refused, timeout). */
  status: number | null;
  attempts: number;
  durationMs: number;
  /** Why it failed, without URL path or headers (they may hold secrets); on abort, the last failure before it. */
  error?: string;
  /** The caller's signal ended the POST (a deadline, a shutdown); `error` is empty when no attempt had failed yet. */
  aborted?: boolean;
}

/** Whether a webhook failure is worth another attempt: network errors, timeouts, 408, 429 and 5xx. */
function isRetryableWebhookStatus(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs JSON to a webhook with a per-attempt timeout and retries with backoff, both on the injected clock. Logs name
 * only the URL's origin: webhook paths and headers often carry the secret.
 */
export class WebhookChannel {
  private readonly logger: NotifyLogger;
  private readonly clock: Clock;
  readonly origin: string;

  constructor(private readonly options: WebhookChannelOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.clock = options.clock ?? systemClock;
    this.origin = safeOrigin(options.url);
  }

  /** POSTs `body` (already JSON) with header `X-Vigia-Event: <event>`; never throws. */
  async post(body: string, event: string, signal?: AbortSignal): Promise<WebhookResult> {
    const retries = this.options.retries ?? 3;
    const backoffMs = this.options.backoffMs?.length ? this.options.backoffMs : [1000, 2000, 4000];
    const started = this.clock.now();
    let status: number | null = null;
    let error = "";
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      let retryAfterMs: number | null = null;
      const timeout = createTimeoutSignal(this.options.timeoutMs ?? 5000, this.clock);
      try {
        const response = await fetch(this.options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-vigia-event": event, ...this.options.headers },
          body,
          signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined); // free the connection
        if (response.ok) return { ok: true, status, attempts: attempt, durationMs: this.clock.now() - started };
        error = `HTTP ${status}`;
        retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), this.clock.now());
      } catch (e) {
        status = null;
        if (signal?.aborted) return { ok: false, status, attempts: attempt, durationMs: this.clock.now() - started, error, aborted: true };
        error = describeFetchError(e);
      } finally {
        timeout.clear();
      }
      if (signal?.aborted) return { ok: false, status, attempts: attempt, durationMs: this.clock.now() - started, error, aborted: true };
      if (!isRetryableWebhookStatus(status) || attempt > retries) {
        return { ok: false, status, attempts: attempt, durationMs: this.clock.now() - started, error };
      }
      const backoff = getBackoffDelayMs(attempt, backoffMs);
      const delayMs =
        retryAfterMs !== null && retryAfterMs <= (this.options.maxRetryAfterMs ?? 30_000) ? Math.max(retryAfterMs, backoff) : backoff;
      this.logger.debug(`webhook ${this.origin}: ${error}, retrying in ${delayMs} ms`, { event, attempt });
      if (!(await waitMs(delayMs, signal, this.clock))) {
        return { ok: false, status, attempts: attempt, durationMs: this.clock.now() - started, error, aborted: true };
      }
    }
    return { ok: false, status, attempts: retries + 1, durationMs: this.clock.now() - started, error }; // not reached
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "<invalid url>";
  }
}

/** Retry-After in seconds or as an HTTP date (read at `nowMs`). */
function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
