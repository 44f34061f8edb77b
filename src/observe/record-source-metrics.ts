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
  for (const line of lines) {
    const sum = bySource.get(line.source) ?? { lines: 0, bytes: 0 };
    sum.lines += 1;
    sum.bytes += line.offset >= 0 && line.endOffset >= line.offset ? line.endOffset - line.offset : Buffer.byteLength(line.text) + 1;
    bySource.set(line.source, sum);
  }
  for (const [source, sum] of bySource) {
    metrics.linesRead.inc({ source }, sum.lines);
    metrics.bytesRead.inc({ source }, sum.bytes);
  }
}

/** Counts events (lines after multiline grouping) per source. */
export function recordEvents(metrics: VigiaMetrics, events: readonly Pick<LogEvent, "source">[]): void {
  const bySource = new Map<string, number>();
  for (const event of events) bySource.set(event.source, (bySource.get(event.source) ?? 0) + 1);
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
