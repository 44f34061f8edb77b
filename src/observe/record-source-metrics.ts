import type { LogEvent, SourceLine } from "../types.js";
import type { VigiaMetrics } from "./metrics.js";

/** Sets the series of each configured source to 0 before its first line. */
export function initialiseSourceSeries(metrics: VigiaMetrics, sources: readonly string[]): void {
  for (const source of sources) {
    for (const counter of [metrics.linesRead, metrics.bytesRead, metrics.events, metrics.tailerRotations, metrics.tailerTruncations, metrics.truncatedLines]) {
      counter.inc({ source }, 0);
    }
  }
}

/** Counts a batch of lines and their bytes per source: a file line's bytes in its file, else its UTF-8 text and a newline. */
export function recordLinesRead(metrics: VigiaMetrics, lines: readonly SourceLine[]): void {
  const bySource = new Map<string, { lines: number; bytes: number }>();
  // A batch nearly always comes from one source: the sum of the previous line is reused, one look-up per run.
  let source: string | null = null;
  let sum = { lines: 0, bytes: 0 };
  for (const line of lines) {
    if (line.source !== source) {
      source = line.source;
      sum = bySource.get(source) ?? { lines: 0, bytes: 0 };
      bySource.set(source, sum);
    }
    sum.lines += 1;
    sum.bytes += line.offset >= 0 && line.endOffset >= line.offset ? line.endOffset - line.offset : Buffer.byteLength(line.text) + 1;
  }
  for (const [source, sum] of bySource) {
    metrics.linesRead.inc({ source }, sum.lines);
    metrics.bytesRead.inc({ source }, sum.bytes);
  }
}

/** Counts events (lines after multiline grouping) per source. */
export function recordEvents(metrics: VigiaMetrics, events: readonly Pick<LogEvent, "source">[]): void {
  const bySource = new Map<string, number>();
  // Counted per run of one source (a batch is nearly always one run), not looked up per event.
  let runStart = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && events[i]!.source === events[runStart]!.source) continue;
    const source = events[runStart]!.source;
    bySource.set(source, (bySource.get(source) ?? 0) + i - runStart);
    runStart = i;
  }
  for (const [source, n] of bySource) metrics.events.inc({ source }, n);
}

/** Makes the lag gauge read the tailers at each scrape: the unread bytes of a source's files, 0 for a source with none. */
export function trackSourceLag(
  metrics: VigiaMetrics,
  sources: readonly string[],
  listStats: () => Iterable<{ source: string; lagBytes: number }>,
): void {
  metrics.readOnScrape(metrics.sourceLagBytes, (gauge) => {
    gauge.reset();
    for (const source of sources) gauge.set({ source }, 0);
    for (const stats of listStats()) gauge.inc({ source: stats.source }, stats.lagBytes);
  });
}
