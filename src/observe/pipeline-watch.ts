/**
 * Whether the pipeline is moving: each stage (lines read → grouped into events → matched → folded into incidents →
 * written to the journal) says how much it took in and handed on; work waiting at a stage that has handed nothing on
 * for `stuckAfterMs` is a stuck stage. `/health` shows every stage, and a stuck one stops the heartbeat.
 */
import type { HealthPipeline, HealthStage, PipelineStageName, PipelineUnit } from "./health-report.js";

/** One stage's counters at one look. */
export interface StageCount {
  stage: PipelineStageName;
  /** The source, for `read` (one per followed file). */
  source?: string;
  unit: PipelineUnit;
  /** Taken in so far (read: bytes of the current file seen at the last look). */
  in: number;
  /** Handed on so far (read: the offset read up to); any change is progress. */
  out: number;
}

/**
 * Judges stages by looking at their counters now and then (each `/health` request, each heartbeat): a stage moved
 * when its `out` changed since the previous look. A stage with nothing waiting is never stalled, however long it
 * idled; one with work waiting is stalled from the first look that saw that work waiting and the stage not moving
 * since, so a look after hours of idling does not take work that has just arrived for a stall.
 */
export class PipelineWatch {
  /** Stage key → its `out` at the last look, whether work waited then, and since when it has not moved. */
  private readonly moved = new Map<string, { out: number; waiting: boolean; sinceMs: number }>();

  constructor(readonly stuckAfterMs: number) {}

  look(counts: readonly StageCount[], nowMs: number): HealthPipeline {
    const seen = new Set<string>();
    const stages = counts.map((count): HealthStage => {
      const key = `${count.stage}\0${count.source ?? ""}`;
      seen.add(key);
      const waiting = Math.max(0, count.in - count.out);
      const before = this.moved.get(key);
      let stalledMs: number | null = null;
      if (waiting === 0 || !before || !before.waiting || before.out !== count.out) {
        this.moved.set(key, { out: count.out, waiting: waiting > 0, sinceMs: nowMs });
      } else {
        stalledMs = nowMs - before.sinceMs;
      }
      return {
        stage: count.stage,
        ...(count.source !== undefined ? { source: count.source } : {}),
        unit: count.unit,
        in: count.in,
        out: count.out,
        waiting,
        stalled_s: stalledMs === null ? null : Math.round(stalledMs / 1000),
        stuck: stalledMs !== null && stalledMs >= this.stuckAfterMs,
      };
    });
    for (const key of this.moved.keys()) if (!seen.has(key)) this.moved.delete(key);
    return { stuck_after_s: Math.round(this.stuckAfterMs / 1000), stages };
  }
}

/** `journal (3 changes waiting, no progress for 31 s)`: a stage in one line (English, for logs and /health). */
export function describeStuckStage(stage: HealthStage): string {
  const name = stage.source !== undefined ? `${stage.stage} ${stage.source}` : stage.stage;
  const unit = stage.waiting === 1 ? stage.unit.slice(0, -1) : stage.unit;
  return `${name} (${stage.waiting} ${unit} waiting, no progress for ${stage.stalled_s ?? 0} s)`;
}
