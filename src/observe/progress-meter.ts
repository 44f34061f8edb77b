import { formatCaughtUpLine, formatProgressLine, type SourceBacklog } from "./progress-line.js";
import { systemClock, unrefTimer, type Clock } from "../util/clock.js";

/** What the meter reads at each tick: the tailers' figures and the remediation queue. */
interface ProgressInput {
  getSourceStats(): ReadonlyArray<{ source: string; lagBytes: number; linesRead: number; bytesRead: number }>;
  getRemediationLoad(): { running: number; queued: number };
}

export interface ProgressMeterOptions {
  input: ProgressInput;
  /** Where lines go: the terminal's status line. */
  show(text: string): void;
  finish(text: string): void;
  /** Time between two lines (default 1000 ms): a line per read chunk would cost more than the reading. */
  everyMs?: number;
  /**
   * Bytes behind, summed over the sources, from which a catch-up is shown (default 1 MiB): a live log is always a
   * few lines behind, and that is not a catch-up.
   */
  minLagBytes?: number;
  /** The ticks and the rates' time. Default systemClock. */
  clock?: Clock;
}

export interface ProgressMeter {
  /** One look now (the timer calls it every `everyMs`). */
  tick(): void;
  stop(): void;
}

const PROGRESS_DEFAULTS = { everyMs: 1000, minLagBytes: 1024 * 1024 } as const;

/**
 * Shows a catch-up while it lasts: every `everyMs`, when the sources are at least `minLagBytes` behind, a line
 * with each source's bytes (and estimated lines) behind, the reading rate, the ETA and the remediation queue; once
 * nothing is behind, a last line with the lines read and the mean rate. Then quiet until the next backlog.
 */
export function startProgressMeter(options: ProgressMeterOptions): ProgressMeter {
  const everyMs = options.everyMs ?? PROGRESS_DEFAULTS.everyMs;
  const minLagBytes = options.minLagBytes ?? PROGRESS_DEFAULTS.minLagBytes;
  const clock = options.clock ?? systemClock;
  let last = { atMs: clock.now(), lines: 0, bytes: 0 };
  /** The catch-up being shown: where it started. */
  let episode: { atMs: number; lines: number } | null = null;

  const tick = (): void => {
    const stats = options.input.getSourceStats();
    const atMs = clock.now();
    const bySource = new Map<string, { lagBytes: number; lines: number; bytes: number }>();
    let lines = 0;
    let bytes = 0;
    for (const s of stats) {
      const entry = bySource.get(s.source) ?? { lagBytes: 0, lines: 0, bytes: 0 };
      entry.lagBytes += Math.max(0, s.lagBytes);
      entry.lines += s.linesRead;
      entry.bytes += s.bytesRead;
      bySource.set(s.source, entry);
      lines += s.linesRead;
      bytes += s.bytesRead;
    }
    const lagBytes = [...bySource.values()].reduce((sum, s) => sum + s.lagBytes, 0);
    const seconds = Math.max(0.001, (atMs - last.atMs) / 1000);
    const rate = { lines: Math.max(0, lines - last.lines) / seconds, bytes: Math.max(0, bytes - last.bytes) / seconds };
    if (episode === null && lagBytes >= minLagBytes) episode = { atMs: last.atMs, lines: last.lines };
    last = { atMs, lines, bytes };
    if (episode === null) return;
    const remediation = options.input.getRemediationLoad();
    if (lagBytes === 0) {
      options.finish(formatCaughtUpLine(lines - episode.lines, atMs - episode.atMs, remediation));
      episode = null;
      return;
    }
    const sources: SourceBacklog[] = [...bySource].map(([source, s]) => ({ source, lagBytes: s.lagBytes, bytesPerLine: s.lines > 0 ? s.bytes / s.lines : null }));
    options.show(formatProgressLine({ sources, linesRead: lines - episode.lines, linesPerSecond: rate.lines, bytesPerSecond: rate.bytes, remediation }));
  };

  const timer = clock.setInterval(tick, everyMs);
  unrefTimer(timer);
  return {
    tick,
    stop: () => clock.clearInterval(timer),
  };
}
