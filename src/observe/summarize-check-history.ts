import type { CheckRecord } from "./check-history.js";

/** Uptime and latency of one check over a window, for the dashboard and `vigia report`. */
export interface CheckSummary {
  check: string;
  kind: string;
  target: string;
  runs: number;
  failures: number;
  /** ok runs / runs, 0..1. */
  uptime: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  last: CheckRecord;
}

/** One summary per check id, in order of first appearance; records are expected oldest first. */
export function summarizeCheckHistory(records: readonly CheckRecord[]): CheckSummary[] {
  const byCheck = new Map<string, CheckRecord[]>();
  for (const r of records) {
    const list = byCheck.get(r.check);
    if (list) list.push(r);
    else byCheck.set(r.check, [r]);
  }
  return [...byCheck.entries()].map(([check, runs]) => {
    const latencies = runs.map((r) => r.latency_ms).sort((a, b) => a - b);
    const failures = runs.filter((r) => !r.ok).length;
    const last = runs[runs.length - 1]!;
    return {
      check,
      kind: last.kind,
      target: last.target,
      runs: runs.length,
      failures,
      uptime: (runs.length - failures) / runs.length,
      p50Ms: pickPercentile(latencies, 0.5),
      p95Ms: pickPercentile(latencies, 0.95),
      maxMs: latencies[latencies.length - 1]!,
      last,
    };
  });
}

/** Nearest-rank percentile of an ascending, non-empty list. */
function pickPercentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
