/** A file tailer for tests and a collector of what it emits. */
import type { SourceLine } from "../../src/types.js";
import { FileTailer, TAILER_DEFAULTS, type FileTailerOptions, type TailerEvent } from "../../src/sources/file-tailer.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { waitFor } from "./wait-for.js";

/** Collects what a tailer emits. */
export class Collector {
  readonly lines: SourceLine[] = [];
  readonly events: TailerEvent[] = [];
  batches = 0;
  readonly onLines = (lines: SourceLine[]): void => {
    this.batches++;
    this.lines.push(...lines);
  };
  readonly onEvent = (event: TailerEvent): void => {
    this.events.push(event);
  };
  texts(): string[] {
    return this.lines.map((line) => line.text);
  }
  eventTypes(): string[] {
    return this.events.map((event) => event.type);
  }
  /** Waits until at least `count` lines were collected. */
  waitForCount(count: number, timeoutMs?: number): Promise<true> {
    return waitFor(() => this.lines.length >= count, { what: `${count} lines (have ${this.lines.length})`, timeoutMs });
  }
}

/** The options that make a test tailer follow its file as `vigia run` does: folder watcher and default polls. */
export const FOLLOW_AS_VIGIA: Partial<FileTailerOptions> = {
  watch: true,
  pollIntervalMs: TAILER_DEFAULTS.pollIntervalMs,
  rotateGraceMs: TAILER_DEFAULTS.rotateGraceMs,
};

/**
 * A tailer for tests, checkpoints in memory: no watcher and a poll so long that only `poke()` drives it, unless
 * overridden (FOLLOW_AS_VIGIA, or a test's own pollIntervalMs / watch).
 */
export function makeTailer(
  path: string,
  collector: Collector,
  overrides: Partial<FileTailerOptions> = {},
): { tailer: FileTailer; checkpoints: CheckpointStore } {
  const checkpoints = overrides.checkpoints ?? CheckpointStore.inMemory();
  const tailer = new FileTailer({
    source: "bot",
    path,
    checkpoints,
    watch: false,
    pollIntervalMs: 60_000,
    rotateGraceMs: 60_000,
    onLines: collector.onLines,
    onEvent: collector.onEvent,
    ...overrides,
  });
  return { tailer, checkpoints };
}
