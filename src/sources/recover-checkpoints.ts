import { open, type FileHandle } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { resolve } from "node:path";
import type { FileCheckpoint, PathCheckpoint } from "./checkpoint-store.js";
import { digestBytes, FINGERPRINT_BYTES, getMarkerRange, readBytesAt } from "./fingerprint.js";
import { formatFileId } from "./followed-file.js";

/** Where the last event matched in a file ended, as recorded elsewhere (the journal's `archivo` and `posicion`). */
export interface RecordedPosition {
  /** The file as the tailer named it (`SourceLine.file`). */
  file: string;
  /** `dev:ino` of the file the position belongs to. */
  fileId: string;
  endOffset: number;
}

/**
 * Checkpoints rebuilt from recorded positions, for a start whose checkpoint file was lost: per path, the furthest
 * position recorded for the file now at that path (same device and inode, at least that long). The fingerprint
 * and marker are read from the file as it is, so the tailer resumes from them exactly as from a saved checkpoint.
 * Lines after the last matched event are read again (they matched nothing, or a resolve_on at worst); nothing
 * written while vigia was down is skipped. A path with no usable position is left out: it starts as configured.
 */
export async function recoverCheckpoints(positions: Iterable<RecordedPosition>, nowMs = Date.now()): Promise<Map<string, PathCheckpoint>> {
  const furthest = new Map<string, Map<string, number>>();
  for (const p of positions) {
    if (!Number.isSafeInteger(p.endOffset) || p.endOffset < 0) continue;
    const path = resolve(p.file);
    const byFileId = furthest.get(path) ?? new Map<string, number>();
    byFileId.set(p.fileId, Math.max(byFileId.get(p.fileId) ?? 0, p.endOffset));
    furthest.set(path, byFileId);
  }
  const recovered = new Map<string, PathCheckpoint>();
  for (const [path, byFileId] of furthest) {
    const checkpoint = await rebuildCheckpoint(path, byFileId).catch(() => null);
    if (checkpoint) recovered.set(path, { updatedAtMs: nowMs, files: [checkpoint] });
  }
  return recovered;
}

/** The checkpoint of the file at `path` at its recorded offset, or null when no position belongs to it. */
async function rebuildCheckpoint(path: string, offsetByFileId: ReadonlyMap<string, number>): Promise<FileCheckpoint | null> {
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat({ bigint: true });
    const offset = offsetByFileId.get(formatFileId(stat));
    if (!stat.isFile() || offset === undefined || BigInt(offset) > stat.size) return null;
    return await readCheckpointAt(handle, stat, offset);
  } finally {
    await handle.close();
  }
}

/** The checkpoint a tailer would save for the open file at `offset`: identity, fingerprint and marker digests. */
export async function readCheckpointAt(handle: FileHandle, stat: BigIntStats, offset: number): Promise<FileCheckpoint> {
  const range = getMarkerRange(offset);
  return {
    dev: String(stat.dev),
    ino: String(stat.ino),
    fingerprint: digestBytes(await readBytesAt(handle, 0, FINGERPRINT_BYTES)),
    offset,
    marker: digestBytes(await readBytesAt(handle, range.position, range.length)),
    rotated: false,
  };
}
