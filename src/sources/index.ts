// Public surface of the sources stage: what the engine and the CLI import.

// Following files
export { FileTailer, TAILER_DEFAULTS } from "./file-tailer.js";
export type { FileTailerOptions, TailerEvent, TailerEventType, TailerStats } from "./file-tailer.js";
export { createFileSources } from "./file-sources.js";
export type { FileSources, FileSourceSpec, FileSourcesOptions } from "./file-sources.js";
export { PathWatcher } from "./path-watcher.js";
export { isGlobPattern } from "./source-glob.js";
export { OpenFileBudget } from "./open-file-budget.js";
export { planOpenFiles, readOpenFileLimit, RESERVED_DESCRIPTORS } from "./open-file-limit.js";
export type { OpenFilePlan } from "./open-file-limit.js";

// Checkpoints
export { CheckpointStore } from "./checkpoint-store.js";
export { recoverCheckpoints } from "./recover-checkpoints.js";
export type { CheckpointEvent, CheckpointStoreOptions, FileCheckpoint, PathCheckpoint } from "./checkpoint-store.js";

// Streams (stdin, child output)
export { readLinesFromStream } from "./stream-lines.js";
export type { StreamLinesOptions } from "./stream-lines.js";

// Building blocks
export { LineSplitter } from "./line-splitter.js";
export type { LineSink } from "./line-splitter.js";
