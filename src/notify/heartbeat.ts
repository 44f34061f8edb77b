/**
 * Someone watching the watcher: a dead man's switch (healthchecks.io, Uptime Kuma's push monitor, the seed's
 * `HEARTBEAT_URL`) is called every `every` seconds while vigia is healthy. When vigia dies, hangs, or can no
 * longer do its job (its journal cannot be written, a pipeline stage stopped moving while work waits at it), the calls
 * stop and the service raises the alarm that vigia itself cannot.
 */
import type { HealthReport, HeartbeatState } from "../observe/health-report.js";
import { describeStuckStage } from "../observe/pipeline-watch.js";
import { SILENT_LOGGER, type NotifyLogger } from "./notify-logger.js";
import { describeFetchError } from "../util/describe-fetch-error.js";
import { createTimeoutSignal, systemClock, unrefTimer, type Clock, type TimerHandle } from "../util/clock.js";

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
  /** The beats' cadence, each call's timeout and the beats' times. Default systemClock. */
  clock?: Clock;
}

/** Whether to beat now, and if not, why (English, for monitor.log). */
export type HeartbeatVerdict = { beat: true } | { beat: false; reason: string };

/**
 * Whether to beat, from `/health`'s document. Failing checks (the bot is down, the disk is full) do not stop it:
 * vigia is doing its job by reporting them. What stops it is vigia failing its own job: the journal cannot be
 * written, or a pipeline stage (reading a source, grouping, matching, folding, journaling) holds work it has not
 * moved on for `stuck_after`.
 */
export function judgeHeartbeat(health: HealthReport): HeartbeatVerdict {
  if (health.status === "starting" || health.status === "stopping") return { beat: false, reason: `vigia is ${health.status}` };
  if (health.journal && !health.journal.ok) {
    return { beat: false, reason: `journal ${health.journal.path} cannot be written (${health.journal.last_error ?? "unknown error"})` };
  }
  if (health.pipeline?.failed) return { beat: false, reason: `pipeline stopped: ${health.pipeline.failed}` };
  const stuck = (health.pipeline?.stages ?? []).filter((stage) => stage.stuck);
  if (stuck.length > 0) return { beat: false, reason: `pipeline stuck at ${stuck.map(describeStuckStage).join(", ")}` };
  return { beat: true };
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
  private readonly clock: Clock;
  /** Only the origin is logged: the path identifies the check, and whoever holds it can ping it. */
  private readonly origin: string;
  private timer: TimerHandle | null = null;
  private inFlight: Promise<void> | null = null;
  private paused: string | null = null;
  private failing = false;
  private stopped = false;
  private beats = 0;
  private skipped = 0;
  private lastBeatAtMs: number | null = null;

  constructor(private readonly options: HeartbeatOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.clock = options.clock ?? systemClock;
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
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        this.schedule(this.options.everyMs);
      });
    }, delayMs);
    unrefTimer(this.timer);
  }

  private async tick(): Promise<void> {
    const verdict = judgeHeartbeat(this.options.getHealth());
    if (!verdict.beat) {
      if (this.paused !== verdict.reason) this.logger.warn(`heartbeat to ${this.origin} paused: ${verdict.reason}`);
      this.paused = verdict.reason;
      this.skipped++;
      return;
    }
    if (this.paused !== null) this.logger.info(`heartbeat to ${this.origin} resumed`);
    this.paused = null;
    const post = this.options.method === "POST";
    const timeout = createTimeoutSignal(this.options.timeoutMs ?? 10_000, this.clock);
    try {
      const response = await fetch(this.options.url, {
        method: this.options.method,
        headers: post ? { "content-type": "application/json" } : undefined,
        body: post ? summarize(this.options.getHealth()) : undefined,
        signal: timeout.signal,
      });
      await response.arrayBuffer().catch(() => undefined); // free the connection
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing) this.logger.info(`heartbeat to ${this.origin} delivered again`);
      this.failing = false;
      this.beats++;
      this.lastBeatAtMs = this.clock.now();
    } catch (error) {
      // One line per failing streak: the next beat is the retry.
      if (!this.failing) this.logger.warn(`heartbeat to ${this.origin} failed: ${describeFetchError(error)}`);
      this.failing = true;
    } finally {
      timeout.clear();
    }
  }
}
