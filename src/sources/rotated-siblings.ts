import { constants, type BigIntStats } from "node:fs";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { getMarkerRange, matchesDigest, readBytesAt } from "./fingerprint.js";
import type { FileCheckpoint } from "./checkpoint-store.js";

/** Compressed rotations cannot be read as text: their content is found (if at all) under the uncompressed name. */
const COMPRESSED_NAME = /\.(gz|bz2|xz|zst|lz4|lzma|zip|Z)$/;
const ROTATION_SEPARATORS = ".-_";

/** Whether `name` is that of a compressed rotation (`bot.log.2.gz`, `.bz2`, `.xz`…). */
export function isCompressedName(name: string): boolean {
  return COMPRESSED_NAME.test(name);
}

/**
 * Names logrotate and similar tools give a rotated `bot.log`: `bot.log.1`, `bot.log-20240101`, `bot.log_old`;
 * compressed ones (`bot.log.2.gz`) only when asked for.
 */
export async function listRotatedSiblings(path: string, options: { compressed?: boolean } = {}): Promise<string[]> {
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((name) => isRotatedSiblingName(name, base))
    .filter((name) => options.compressed === true || !isCompressedName(name))
    .sort()
    .map((name) => join(dirname(path), name));
}

/** A file found for a checkpoint, already open so it cannot move away between finding and reading. */
export interface LocatedFile {
  path: string;
  handle: FileHandle;
  stat: BigIntStats;
  /** Same device and inode as the checkpoint (renamed), rather than a byte copy (copytruncate). */
  sameInode: boolean;
}

/**
 * Finds the file a checkpoint describes, at `path` or among its rotated siblings: a file whose first bytes hash
 * to the fingerprint and whose bytes before the offset hash to the marker. A file with the checkpoint's inode is
 * preferred; otherwise a byte copy (what copytruncate leaves) is accepted. Inode alone is never enough: inodes
 * are reused as soon as a file is deleted.
 */
export async function locateCheckpointedFile(
  path: string,
  checkpoint: FileCheckpoint,
): Promise<LocatedFile | null> {
  const candidates: Array<{ path: string; stat: BigIntStats; sameInode: boolean }> = [];
  for (const candidate of [path, ...(await listRotatedSiblings(path))]) {
    const st = await stat(candidate, { bigint: true }).catch(() => null);
    if (!st || !st.isFile() || Number(st.size) < checkpoint.offset) continue;
    const sameInode = String(st.dev) === checkpoint.dev && String(st.ino) === checkpoint.ino;
    candidates.push({ path: candidate, stat: st, sameInode });
  }
  // Same inode first, then the path itself, then siblings in name order.
  candidates.sort((a, b) => Number(b.sameInode) - Number(a.sameInode));
  for (const candidate of candidates) {
    const handle = await open(candidate.path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
    if (!handle) continue;
    try {
      const st = await handle.stat({ bigint: true });
      if (st.ino === candidate.stat.ino && st.dev === candidate.stat.dev && (await holdsCheckpointedContent(handle, checkpoint))) {
        return { path: candidate.path, handle, stat: st, sameInode: candidate.sameInode };
      }
    } catch {
      /* unreadable candidate: not ours */
    }
    await handle.close().catch(() => undefined);
  }
  return null;
}

/** Whether the open file starts with the fingerprinted bytes and holds the marked bytes before the offset. */
async function holdsCheckpointedContent(handle: FileHandle, checkpoint: FileCheckpoint): Promise<boolean> {
  const head = await readBytesAt(handle, 0, checkpoint.fingerprint.bytes);
  if (!matchesDigest(head, checkpoint.fingerprint)) return false;
  const range = getMarkerRange(checkpoint.offset);
  if (range.length !== checkpoint.marker.bytes) return false;
  return matchesDigest(await readBytesAt(handle, range.position, range.length), checkpoint.marker);
}

/**
 * The base names `name` may be a rotated sibling of, itself first: `bot.log.1` → `bot.log.1`, `bot.log`, `bot`.
 * A write to a rotated file wakes the tailer of the name it was rotated from.
 */
export function listSiblingBaseNames(name: string): string[] {
  const names = [name];
  for (let i = name.length - 1; i > 0; i--) {
    if (ROTATION_SEPARATORS.includes(name[i])) names.push(name.slice(0, i));
  }
  return names;
}

/** Whether `name` is a rotated-sibling name of `base` (`bot.log.1`, `bot.log-20240101`), compressed ones included. */
export function isRotatedSiblingName(name: string, base: string): boolean {
  return name.length > base.length && name.startsWith(base) && ROTATION_SEPARATORS.includes(name[base.length]);
}
