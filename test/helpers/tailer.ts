/** A file tailer for tests, a collector of what it emits, and the per-test scaffolding of the tailer tests. */
import { afterEach } from "@jest/globals";
import { join } from "node:path";
import type { SourceLine } from "../../src/types.js";
import { FileTailer, TAILER_DEFAULTS, type FileTailerOptions, type TailerEvent } from "../../src/sources/file-tailer.js";
import { CheckpointStore } from "../../src/sources/checkpoint-store.js";
import { waitFor } from "./wait-for.js";
import { makeTempDir } from "./temp-dir.js";

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

export interface TailerTestScaffold {
  /** Registers an undo step (a stop, a close), run after the test, latest first. */
  defer(cleanup: () => unknown): void;
  /** A fresh temp folder, removed after the test. */
  tempDir(): string;
  /** A path named `name` in a fresh temp folder. */
  tempPath(name?: string): string;
  /** Starts the tailer; it is stopped after the test, before its folder is removed. */
  started(tailer: FileTailer): Promise<FileTailer>;
}

/** What a tailer test makes, undone after each test: call it at the top of the file. */
export function useTailerTestScaffold(): TailerTestScaffold {
  let cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    const pending = cleanups.reverse();
    cleanups = [];
    for (const cleanup of pending) await cleanup();
  });
  const defer = (cleanup: () => unknown): void => void cleanups.push(cleanup);
  const tempDir = (): string => {
    const temp = makeTempDir();
    defer(temp.cleanup);
    return temp.dir;
  };
  return {
    defer,
    tempDir,
    tempPath: (name = "bot.log") => join(tempDir(), name),
    started: async (tailer) => {
      await tailer.start();
      defer(() => tailer.stop());
      return tailer;
    },
  };
}

/**
 * Brings tailers to rest instead of sleeping "past the grace period": checks them until every rotated file they
 * still read for late writes is past its grace period and closed, then checks each once more. Whatever a tailer
 * would read twice, or late, it has read by then, so a test can assert that nothing more came.
 */
export async function settleTailers(tailers: readonly FileTailer[]): Promise<void> {
  await waitFor(
    async () => {
      for (const tailer of tailers) await tailer.poke();
      return tailers.every((tailer) => tailer.getStats().drainingFiles === 0);
    },
    { what: "every rotated file past its grace period and closed", describe: () => JSON.stringify(tailers.map((t) => t.getStats())) },
  );
  for (const tailer of tailers) await tailer.poke();
}
