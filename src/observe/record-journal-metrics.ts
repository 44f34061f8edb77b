import type { VigiaMetrics } from "./metrics.js";

/** The journal writer's `onWrite`: one rewrite, its outcome and how long it took. */
export function recordJournalWrite(metrics: VigiaMetrics, write: { ok: boolean; durationMs: number }): void {
  metrics.journalWrites.inc({ outcome: write.ok ? "ok" : "failed" });
  metrics.journalWriteDuration.observe(write.durationMs / 1000);
}
