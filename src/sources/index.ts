// Public surface of the sources stage: what the engine and the CLI import.

// Following files
export type { TailerEvent } from "./file-tailer.js";
export { createFileSources } from "./file-sources.js";
export type { FileSources } from "./file-sources.js";
export { isGlobPattern } from "./source-glob.js";
export { planOpenFiles, readOpenFileLimit } from "./open-file-limit.js";

// Checkpoints
export { CheckpointStore } from "./checkpoint-store.js";
export { recoverCheckpoints } from "./recover-checkpoints.js";

// Streams (stdin, child output)
export { readLinesFromStream } from "./stream-lines.js";
