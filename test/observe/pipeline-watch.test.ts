/**
 * When a pipeline stage counts as stuck: work waits at it and it has handed nothing on for the stuck time. Counters
 * and time are given as numbers, look after look, as `/health` and the heartbeat look.
 */
import { describe, expect, it } from "@jest/globals";
import { PipelineWatch, type StageCount } from "../../src/observe/pipeline-watch.js";

const read = (out: number, lag: number): StageCount => ({ stage: "read", source: "bot", unit: "bytes", in: out + lag, out });
const match = (inCount: number, out: number): StageCount => ({ stage: "match", unit: "events", in: inCount, out });

describe("pipeline watch", () => {
  it("a stage with work waiting and no progress is stalled from the first look that saw it, stuck after the stuck time", () => {
    const watch = new PipelineWatch(30_000);
    expect(watch.look([match(10, 4)], 0).stages[0]).toEqual({ stage: "match", unit: "events", in: 10, out: 4, waiting: 6, stalled_s: null, stuck: false });
    expect(watch.look([match(12, 4)], 29_999).stages[0]).toMatchObject({ waiting: 8, stalled_s: 30, stuck: false });
    expect(watch.look([match(12, 4)], 30_000).stages[0]).toMatchObject({ waiting: 8, stalled_s: 30, stuck: true });
    // One event handed on is progress: the stall starts over.
    expect(watch.look([match(12, 5)], 31_000).stages[0]).toMatchObject({ waiting: 7, stalled_s: null, stuck: false });
    expect(watch.look([match(12, 5)], 61_000).stages[0]).toMatchObject({ stalled_s: 30, stuck: true });
  });

  it("a busy stage that keeps handing work on is never stuck, however much waits", () => {
    const watch = new PipelineWatch(30_000);
    for (let t = 0, out = 0; t <= 600_000; t += 10_000, out += 5000) {
      const { stages } = watch.look([read(out, 1_000_000), match(out + 20_000, out)], t);
      expect(stages.map((s) => s.stuck)).toEqual([false, false]);
    }
  });

  it("an idle stage with nothing waiting is never stuck, and its first work is not taken for a stall", () => {
    const watch = new PipelineWatch(30_000);
    for (let t = 0; t <= 600_000; t += 60_000) expect(watch.look([match(50, 50)], t).stages[0]!.stalled_s).toBeNull();
    expect(watch.look([match(51, 50)], 600_001).stages[0]).toMatchObject({ waiting: 1, stalled_s: null, stuck: false });
  });

  it("a source's offset moving back (a rotation) is progress too; each stage and source is judged on its own", () => {
    const watch = new PipelineWatch(30_000);
    const other = (out: number, lag: number): StageCount => ({ ...read(out, lag), source: "backend" });
    watch.look([read(100, 50), other(10, 5)], 0);
    const { stages } = watch.look([read(100, 80), other(0, 40)], 30_000);
    expect(stages).toEqual([
      { stage: "read", source: "bot", unit: "bytes", in: 180, out: 100, waiting: 80, stalled_s: 30, stuck: true },
      { stage: "read", source: "backend", unit: "bytes", in: 40, out: 0, waiting: 40, stalled_s: null, stuck: false },
    ]);
    expect(watch.look([read(180, 0)], 31_000)).toEqual({
      stuck_after_s: 30,
      stages: [{ stage: "read", source: "bot", unit: "bytes", in: 180, out: 180, waiting: 0, stalled_s: null, stuck: false }],
    });
  });
});
