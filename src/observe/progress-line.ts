/**
 * The catch-up progress line `vigia run` writes to a terminal while it reads a backlog (English: a diagnostic).
 * Pure: figures in, one line out, so it is tested without a terminal or a clock.
 */
import { formatBytes } from "../remediation/disk-space.js";
import { formatDurationMs } from "../util/format-duration-ms.js";

/** How far behind one source is: the sum over the files it follows. */
export interface SourceBacklog {
  source: string;
  lagBytes: number;
  /** Bytes per line read so far, to estimate the lines behind; null before the first line. */
  bytesPerLine: number | null;
}

export interface ProgressFigures {
  sources: readonly SourceBacklog[];
  /** Lines read since the daemon started. */
  linesRead: number;
  /** Reading rate over the last interval, lines/s and bytes/s. */
  linesPerSecond: number;
  bytesPerSecond: number;
  remediation: { running: number; queued: number };
}

/** `1.2 M`, `830 k`, `412`: line counts at a glance. */
function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)} k`;
  return String(Math.round(n));
}

/** Lines still to read, from the bytes behind and the average line length; null when no line was read yet. */
function estimateLinesBehind(backlog: SourceBacklog): number | null {
  return backlog.bytesPerLine === null || backlog.bytesPerLine <= 0 ? null : backlog.lagBytes / backlog.bytesPerLine;
}

/**
 * `catch-up: bot 812.4 MB behind (~7.4 M lines), backend up to date · 1.2 M lines read, 310 k lines/s, ETA 24 s ·
 * remediation 2 running, 15 queued`. The ETA is the bytes behind over the current byte rate.
 */
export function formatProgressLine(f: ProgressFigures): string {
  const perSource = f.sources.map((s) => {
    if (s.lagBytes <= 0) return `${s.source} up to date`;
    const lines = estimateLinesBehind(s);
    return `${s.source} ${formatBytes(s.lagBytes)} behind${lines === null ? "" : ` (~${formatCount(lines)} lines)`}`;
  });
  const lagBytes = f.sources.reduce((sum, s) => sum + Math.max(0, s.lagBytes), 0);
  const eta = lagBytes > 0 && f.bytesPerSecond > 0 ? formatDurationMs((lagBytes / f.bytesPerSecond) * 1000) : "?";
  const rate = `${formatCount(f.linesRead)} lines read, ${formatCount(f.linesPerSecond)} lines/s${lagBytes > 0 ? `, ETA ${eta}` : ""}`;
  const remediation = `remediation ${f.remediation.running} running, ${f.remediation.queued} queued`;
  return `catch-up: ${perSource.join(", ") || "no source"} · ${rate} · ${remediation}`;
}

/** The last line, once every source is read to its end. */
export function formatCaughtUpLine(linesRead: number, elapsedMs: number, remediation: ProgressFigures["remediation"]): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? `, ${formatCount(linesRead / seconds)} lines/s` : "";
  return `caught up: ${formatCount(linesRead)} lines in ${formatDurationMs(elapsedMs)}${rate} · remediation ${remediation.running} running, ${remediation.queued} queued`;
}
