import { FileTailer, type FileTailerOptions, type TailerStats } from "./file-tailer.js";
import { PathWatcher } from "./path-watcher.js";

/** One configured file source. */
export interface FileSourceSpec {
  source: string;
  path: string;
}

/** Options shared by every tailer of the group. */
export type FileSourcesOptions = Omit<FileTailerOptions, "source" | "path" | "watcher">;

/** Several tailers started and stopped together, sharing one folder watcher. */
export interface FileSources {
  readonly tailers: readonly FileTailer[];
  start(): Promise<void>;
  /** Stops every tailer (each does its final read) and the shared watcher. */
  stop(): Promise<void>;
  getStats(): TailerStats[];
}

/** Builds one tailer per spec around one shared chokidar watcher (none when `watch` is false). */
export function createFileSources(specs: readonly FileSourceSpec[], options: FileSourcesOptions): FileSources {
  const watcher = options.watch === false ? undefined : new PathWatcher({
    onError: (error) => options.onEvent?.({ type: "error", source: "*", path: "*", detail: `watcher: ${error.message}` }),
  });
  const tailers = specs.map((spec) => new FileTailer({ ...options, source: spec.source, path: spec.path, watcher }));
  return {
    tailers,
    async start() {
      await Promise.all(tailers.map((tailer) => tailer.start()));
    },
    async stop() {
      await Promise.all(tailers.map((tailer) => tailer.stop()));
      await watcher?.close();
    },
    getStats() {
      return tailers.map((tailer) => tailer.getStats());
    },
  };
}
