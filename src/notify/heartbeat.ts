/**
 * Someone watching the watcher: a dead man's switch (healthchecks.io, Uptime Kuma's push monitor, the seed's
 * `HEARTBEAT_URL`) is called every `every` seconds while vigia is healthy. When vigia dies, hangs, or can no
 * longer do its job (its journal cannot be written, a source stopped moving while it has lines to read), the calls
 * stop and the service raises the alarm that vigia itself cannot.
 */
import type { HealthReport, HeartbeatState } from "../observe/health-report.js";
import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { describeFetchError } from "../util/describe-fetch-error.js";

export interface HeartbeatOptions {
  url: string;
  everyMs: number;
  /** GET: a plain ping. POST: with a JSON summary of the health (no paths, no secrets). */
  method: "GET" | "POST";
  /** vigia's health at this instant (`/health`'s document). */
  getHealth: () => HealthReport;
  logger?: NotifyLogger;
  /** One call's timeout. Default 10 000. */
  timeoutMs?: number;
  now?: () => number;
}

/** Whether to beat now, and if not, why (English, for monitor.log). */
export type HeartbeatVerdict = { beat: true } | { beat: false; reason: string };

/**
 * A source is stuck when it has bytes to read and its offset has not moved for this long. Twice the interval so a
 * burst being read across a beat is never taken for a stall; at least 30 s so a short interval does not either.
 */
export function stuckAfterMs(everyMs: number): number {
  return Math.max(30_000, 2 * everyMs);
}

/**
 * Judges the health for the heartbeat. Failing checks (the bot is down, the disk is full) do not stop it: vigia
 * is doing its job by reporting them. What stops it is vigia failing its own job.
 */
export class HeartbeatJudge {
  /** Source name → its offset and when it last moved (or had nothing to read). */
  private readonly progress = new Map<string, { offset: number; sinceMs: number }>();

  constructor(private readonly stuckMs: number) {}

  judge(health: HealthReport, nowMs: number): HeartbeatVerdict {
    if (health.status === "starting" || health.status === "stopping") return { beat: false, reason: `vigia is ${health.status}` };
    if (health.journal && !health.journal.ok) {
      return { beat: false, reason: `journal ${health.journal.path} cannot be written (${health.journal.last_error ?? "unknown error"})` };
    }
    const stuck: string[] = [];
    const seen = new Set<string>();
    for (const source of health.sources) {
      const key = `${source.name}\0${source.path}`;
      seen.add(key);
      const before = this.progress.get(key);
      if (source.lag_bytes <= 0 || !before || before.offset !== source.offset) {
        this.progress.set(key, { offset: source.offset, sinceMs: nowMs });
      } else if (nowMs - before.sinceMs >= this.stuckMs) {
        stuck.push(`${source.name} (${source.lag_bytes} bytes unread for ${Math.round((nowMs - before.sinceMs) / 1000)} s)`);
      }
    }
    for (const key of this.progress.keys()) if (!seen.has(key)) this.progress.delete(key);
    if (stuck.length > 0) return { beat: false, reason: `pipeline stuck: ${stuck.join(", ")}` };
    return { beat: true };
  }
}

/** The POST body: what a dashboard behind the switch may show. Names and numbers only. */
function summarize(health: HealthReport): string {
  return JSON.stringify({
    status: health.status,
    version: health.version,
    uptime_s: health.uptime_s,
    incidents_open: health.incidents_open,
    sources: Object.fromEntries(health.sources.map((s) => [s.name, { lag_bytes: s.lag_bytes }])),
  });
}

export class Heartbeat {
  private readonly logger: NotifyLogger;
  private readonly judge: HeartbeatJudge;
  private readonly now: () => number;
  /** Only the origin is logged: the path identifies the check, and whoever holds it can ping it. */
  private readonly origin: string;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private paused: string | null = null;
  private failing = false;
  private stopped = false;
  private beats = 0;
  private skipped = 0;
  private lastBeatAtMs: number | null = null;

  constructor(private readonly options: HeartbeatOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.judge = new HeartbeatJudge(stuckAfterMs(options.everyMs));
    this.now = options.now ?? Date.now;
    this.origin = new URL(options.url).origin;
  }

  /** What `/health` shows of it. */
  getState(): HeartbeatState {
    return {
      target: this.origin,
      beats: this.beats,
      skipped: this.skipped,
      last_beat_at: this.lastBeatAtMs === null ? null : new Date(this.lastBeatAtMs).toISOString(),
      paused: this.paused,
      failing: this.failing,
    };
  }

  /** Beats at once, then every `everyMs`. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        this.schedule(this.options.everyMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const verdict = this.judge.judge(this.options.getHealth(), this.now());
    if (!verdict.beat) {
      if (this.paused !== verdict.reason) this.logger.warn(`heartbeat to ${this.origin} paused: ${verdict.reason}`);
      this.paused = verdict.reason;
      this.skipped++;
      return;
    }
    if (this.paused !== null) this.logger.info(`heartbeat to ${this.origin} resumed`);
    this.paused = null;
    const post = this.options.method === "POST";
    try {
      const response = await fetch(this.options.url, {
        method: this.options.method,
        headers: post ? { "content-type": "application/json" } : undefined,
        body: post ? summarize(this.options.getHealth()) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined); // free the connection
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing) this.logger.info(`heartbeat to ${this.origin} delivered again`);
      this.failing = false;
      this.beats++;
      this.lastBeatAtMs = this.now();
    } catch (error) {
      // One line per failing streak: the next beat is the retry.
      if (!this.failing) this.logger.warn(`heartbeat to ${this.origin} failed: ${describeFetchError(error)}`);
      this.failing = true;
    }
  }
}
