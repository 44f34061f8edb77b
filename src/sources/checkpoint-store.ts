import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic, writeFileAtomicSync } from "../util/atomic-write.js";
import type { Digest } from "./fingerprint.js";

/** Where one file of a followed path stopped being processed. */
export interface FileCheckpoint {
  /** Device and inode as decimal strings (they can exceed 2^53). */
  dev: string;
  ino: string;
  /** Hash of the file's first bytes: proves the inode still holds the same content. */
  fingerprint: Digest;
  /** Byte offset just past the last processed line (or the first line of a multi-line event still pending). */
  offset: number;
  /** Hash of the bytes just before `offset`: proves nothing before it was rewritten (copytruncate refilled). */
  marker: Digest;
  /** True for a file rotated away from the path whose late writes were still being read. */
  rotated: boolean;
}

/** A followed path's checkpoint: rotated files still being finished first, then the file at the path. */
export interface PathCheckpoint {
  updatedAtMs: number;
  /** Empty = the path was missing or unreadable: whatever appears there is read from its beginning. */
  files: FileCheckpoint[];
}

/** Something the store reports instead of failing: a corrupt file moved aside, a provider that threw. */
export interface CheckpointEvent {
  type: "corrupt" | "error";
  path: string;
  detail: string;
}

export interface CheckpointStoreOptions {
  onEvent?(event: CheckpointEvent): void;
}

/** Returns a path's current checkpoint, or undefined to keep the last saved one (e.g. the file is mid-truncation). */
export type CheckpointProvider = () => PathCheckpoint | undefined;

const FORMAT_VERSION = 1;

/**
 * Checkpoints of every followed path, in one versioned JSON file (`<state_dir>/checkpoints.json`).
 *
 * Tailers register a provider per path; `save()` asks each for its checkpoint and replaces the file atomically.
 * The engine calls it after it has flushed what the lines produced (journal first, then checkpoints), so a
 * crash repeats lines rather than losing them. A corrupt file is moved aside, never a reason not to start.
 */
export class CheckpointStore {
  static readonly FILE_NAME = "checkpoints.json";

  readonly filePath: string | null;
  /** Where a corrupt checkpoint file was moved at load (its positions must be recovered elsewhere), else null. */
  corruptFileMovedTo: string | null = null;
  private readonly entries: Map<string, PathCheckpoint>;
  private readonly providers = new Map<string, CheckpointProvider>();
  private readonly onEvent: (event: CheckpointEvent) => void;
  private saving: Promise<void> = Promise.resolve();

  private constructor(filePath: string | null, entries: Map<string, PathCheckpoint>, options: CheckpointStoreOptions) {
    this.filePath = filePath;
    this.entries = entries;
    this.onEvent = options.onEvent ?? (() => undefined);
  }

  /** Loads `<stateDir>/checkpoints.json`; missing = empty; corrupt = moved to `.corrupt-<time>` with an event. */
  static async load(stateDir: string, options: CheckpointStoreOptions = {}): Promise<CheckpointStore> {
    const filePath = join(stateDir, CheckpointStore.FILE_NAME);
    let text: string;
    try {
      text = await readFile(filePath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new CheckpointStore(filePath, new Map(), options);
      throw error;
    }
    const parsed = parseCheckpointFile(text);
    if (parsed instanceof Map) return new CheckpointStore(filePath, parsed, options);
    const movedTo = `${filePath}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await rename(filePath, movedTo);
    options.onEvent?.({ type: "corrupt", path: filePath, detail: `${parsed}; moved to ${movedTo}` });
    const store = new CheckpointStore(filePath, new Map(), options);
    store.corruptFileMovedTo = movedTo;
    return store;
  }

  /** A store that keeps checkpoints in memory only (test-rules, tests, --no-state runs). */
  static inMemory(options: CheckpointStoreOptions = {}): CheckpointStore {
    return new CheckpointStore(null, new Map(), options);
  }

  /** Sets checkpoints recovered from another record (the journal's positions); call before tailers start. */
  restore(entries: ReadonlyMap<string, PathCheckpoint>): void {
    for (const [path, entry] of entries) this.entries.set(path, entry);
  }

  /** The last saved (or loaded) checkpoint of `path`. */
  get(path: string): PathCheckpoint | undefined {
    return this.entries.get(path);
  }

  /**
   * Registers the provider of `path`'s checkpoint, replacing an earlier one (a stopped tailer's, after a config
   * reload); returns the function that unregisters it. Two live tailers on one path are a config error.
   */
  track(path: string, provider: CheckpointProvider): () => void {
    this.providers.set(path, provider);
    return () => {
      if (this.providers.get(path) === provider) this.providers.delete(path);
    };
  }

  /** Forgets `path`, provider and checkpoint: a file a glob source followed is gone and was read to its end. */
  forget(path: string): void {
    this.providers.delete(path);
    this.entries.delete(path);
  }

  /** Text of the last successful write: an unchanged checkpoint is not written again. */
  private lastWritten: string | null = null;

  /** Asks every provider for its checkpoint and writes the file when it changed; concurrent calls are serialized. */
  save(): Promise<void> {
    const next = this.saving.then(async () => {
      const text = this.collect();
      // Nothing moved since the last write (an idle bot): no rewrite, no fsync every second.
      if (!this.filePath || text === this.lastWritten) return;
      await writeFileAtomic(this.filePath, text);
      this.lastWritten = text;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  /** Synchronous save for the last write at shutdown (await any save() in flight before calling it). */
  saveSync(): void {
    const text = this.collect();
    if (!this.filePath || text === this.lastWritten) return;
    writeFileAtomicSync(this.filePath, text);
    this.lastWritten = text;
  }

  private collect(): string {
    for (const [path, provider] of this.providers) {
      try {
        const checkpoint = provider();
        if (checkpoint) this.entries.set(path, checkpoint);
      } catch (error) {
        this.onEvent({ type: "error", path, detail: `checkpoint of ${path} not updated: ${(error as Error).message}` });
      }
    }
    // Tailers return the same object while nothing moved: 1 000 idle files cost no serialization every second.
    const entries = [...this.entries.values()];
    const last = this.lastCollected;
    if (last && last.entries.length === entries.length && last.entries.every((entry, i) => entry === entries[i])) return last.text;
    const files: Record<string, PathCheckpoint> = {};
    for (const [path, entry] of this.entries) files[path] = entry;
    const text = `${JSON.stringify({ version: FORMAT_VERSION, files }, null, 1)}\n`;
    this.lastCollected = { entries, text };
    return text;
  }

  private lastCollected: { entries: PathCheckpoint[]; text: string } | null = null;
}

/** Parses and validates the checkpoint file; returns the entries or a message saying what is wrong. */
export function parseCheckpointFile(text: string): Map<string, PathCheckpoint> | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (!isObject(raw)) return "expected an object";
  if (raw.version !== FORMAT_VERSION) return `version: expected ${FORMAT_VERSION}, got ${JSON.stringify(raw.version)}`;
  if (!isObject(raw.files)) return "files: expected an object";
  const entries = new Map<string, PathCheckpoint>();
  for (const [path, rawEntry] of Object.entries(raw.files)) {
    if (!isObject(rawEntry) || typeof rawEntry.updatedAtMs !== "number" || !Array.isArray(rawEntry.files)) {
      return `files[${JSON.stringify(path)}]: expected {updatedAtMs, files[]}`;
    }
    const files: FileCheckpoint[] = [];
    for (const [i, rawFile] of rawEntry.files.entries()) {
      if (!isFileCheckpoint(rawFile)) return `files[${JSON.stringify(path)}].files[${i}]: malformed`;
      files.push(rawFile);
    }
    entries.set(path, { updatedAtMs: rawEntry.updatedAtMs, files });
  }
  return entries;
}

function isFileCheckpoint(raw: unknown): raw is FileCheckpoint {
  return (
    isObject(raw) &&
    typeof raw.dev === "string" &&
    typeof raw.ino === "string" &&
    isDigest(raw.fingerprint) &&
    Number.isSafeInteger(raw.offset) &&
    (raw.offset as number) >= 0 &&
    isDigest(raw.marker) &&
    typeof raw.rotated === "boolean"
  );
}

function isDigest(raw: unknown): raw is Digest {
  return isObject(raw) && Number.isSafeInteger(raw.bytes) && typeof raw.sha1 === "string";
}

function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}
