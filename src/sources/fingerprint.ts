import { createHash } from "node:crypto";
import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";

/**
 * How many leading bytes identify a file's content. 256 bytes hold several timestamped log lines, so two files
 * that merely share a first line (a startup banner) still differ; a shorter file is fingerprinted on what it
 * has and the fingerprint grows with it.
 */
export const FINGERPRINT_BYTES = 256;

/** How many bytes just before a checkpointed offset are hashed to prove the content there is still the same. */
export const MARKER_BYTES = 128;

/** A hash of `bytes` bytes; stored in checkpoints instead of the log's own text. */
export interface Digest {
  bytes: number;
  sha1: string;
}

/** Hashes a byte range for a checkpoint. */
export function digestBytes(bytes: Uint8Array): Digest {
  return { bytes: bytes.length, sha1: createHash("sha1").update(bytes).digest("hex") };
}

/** Whether `bytes` are exactly the bytes `digest` was made of. */
export function matchesDigest(bytes: Uint8Array, digest: Digest): boolean {
  return bytes.length === digest.bytes && digestBytes(bytes).sha1 === digest.sha1;
}

/** The range hashed as the marker of `offset`: up to MARKER_BYTES bytes ending at it. */
export function getMarkerRange(offset: number): { position: number; length: number } {
  const length = Math.min(offset, MARKER_BYTES);
  return { position: offset - length, length };
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export async function readBytesAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

/** Synchronous twin of readBytesAt, for checkpoints written during shutdown. */
export function readBytesAtSync(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(fd, buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}
