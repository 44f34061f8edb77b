import { constants, fstatSync, type BigIntStats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { LineSplitter } from "./line-splitter.js";
import {
  FINGERPRINT_BYTES,
  MARKER_BYTES,
  digestBytes,
  getMarkerRange,
  readBytesAt,
  readBytesAtSync,
} from "./fingerprint.js";
import type { FileCheckpoint } from "./checkpoint-store.js";
import { listRotatedSiblings } from "./rotated-siblings.js";

/** The `fileId` of SourceLine: device and inode, so offsets of different files are never compared. */
export function formatFileId(stat: { dev: bigint; ino: bigint }): string {
  return `${stat.dev}:${stat.ino}`;
}

/** Thrown by FollowedFile.open for a path that is there but cannot be followed (a folder, a FIFO). */
export class NotARegularFileError extends Error {
  readonly code = "ENOTREG";
  constructor(readonly path: string) {
    super(`${path} is not a regular file`);
  }
}

/**
 * One open file being read: its handle, identity, read position and the line splitter holding its unfinished line.
 *
 * Identity is checked two ways at once: the inode (a rename keeps it) and the content (a copytruncate keeps the
 * inode but not the bytes). `fingerprint` holds the file's first bytes and `tail` the bytes just before
 * `readOffset`, both as read; when either no longer matches the file, its content was replaced.
 */
export class FollowedFile {
  handle: FileHandle | null;
  readonly fileId: string;
  readonly dev: bigint;
  readonly ino: bigint;
  /** Where it was opened; a rotated file has moved since. */
  readonly openedPath: string;
  splitter: LineSplitter;
  /** The first (up to FINGERPRINT_BYTES) bytes, as read. */
  fingerprint: Buffer = Buffer.alloc(0);
  /** The (up to MARKER_BYTES) bytes just before readOffset, as read. */
  tail: Buffer = Buffer.alloc(0);
  /** Size, mtime and ctime at the last check: a change means "look again". */
  lastSize = 0;
  private lastMtimeNs = -1n;
  private lastCtimeNs = -1n;
  rotated = false;
  graceDeadlineMs = Number.POSITIVE_INFINITY;
  /** Closed while idle to save descriptors; reopened by inode on its next change. */
  parked = false;
  /** The last checkpoint computed with the handle: reused while its offset holds (an idle file costs no read). */
  private lastSnapshot: FileCheckpoint | undefined;
  /** Checkpoints computed when the handle was closed at stop: the handle can no longer read markers. */
  private frozen: { processed: FileCheckpoint; pending?: FileCheckpoint } | undefined;

  private constructor(handle: FileHandle, stat: BigIntStats, openedPath: string, maxLineBytes: number, offset: number) {
    this.handle = handle;
    this.dev = stat.dev;
    this.ino = stat.ino;
    this.fileId = formatFileId(stat);
    this.openedPath = openedPath;
    this.splitter = new LineSplitter(maxLineBytes, offset);
    this.lastSize = Number(stat.size);
  }

  /** Opens `path` for reading without blocking on a FIFO; throws the fs error (ENOENT, EACCES) or NotARegularFileError. */
  static async open(path: string, maxLineBytes: number): Promise<{ file: FollowedFile; size: number }> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat({ bigint: true });
      if (!stat.isFile()) throw new NotARegularFileError(path);
      const file = new FollowedFile(handle, stat, path, maxLineBytes, 0);
      await file.readFingerprint();
      return { file, size: Number(stat.size) };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Wraps an already open handle (found by checkpoint) and positions it at `offset`. */
  static async fromHandle(handle: FileHandle, stat: BigIntStats, path: string, maxLineBytes: number, offset: number): Promise<FollowedFile> {
    const file = new FollowedFile(handle, stat, path, maxLineBytes, offset);
    await file.readFingerprint();
    await file.readTail();
    return file;
  }

  /** Byte offset of the next read. */
  get readOffset(): number {
    return this.splitter.nextOffset;
  }

  /** Everything before this offset was handed to onLines. */
  get processedOffset(): number {
    return this.splitter.committedOffset;
  }

  isSameInode(stat: { dev: bigint; ino: bigint }): boolean {
    return stat.dev === this.dev && stat.ino === this.ino;
  }

  /**
   * Continues reading at `offset` of a file whose content is new (after a truncation). From 0, the fingerprint
   * is taken from what is read, not read ahead: the content may be replaced again in between (copytruncate).
   */
  async restartAt(offset: number): Promise<void> {
    this.lastSnapshot = undefined;
    this.splitter.reset(offset);
    this.tail = Buffer.alloc(0);
    this.fingerprint = Buffer.alloc(0);
    if (offset === 0) return;
    await this.readFingerprint();
    await this.readTail();
  }

  /** Records the last bytes read, which must still be there on the next check. */
  noteRead(buf: Buffer, length: number): void {
    if (length >= MARKER_BYTES) {
      this.tail = Buffer.from(buf.subarray(length - MARKER_BYTES, length));
    } else {
      const joined = Buffer.concat([this.tail, buf.subarray(0, length)]);
      this.tail = joined.length > MARKER_BYTES ? joined.subarray(joined.length - MARKER_BYTES) : joined;
    }
    if (this.fingerprint.length < FINGERPRINT_BYTES && this.readOffset - length <= this.fingerprint.length) {
      // Reading sequentially from the start: the fingerprint grows with what was just read.
      const start = this.fingerprint.length - (this.readOffset - length);
      const more = buf.subarray(start, Math.min(length, start + FINGERPRINT_BYTES - this.fingerprint.length));
      if (more.length > 0) this.fingerprint = Buffer.concat([this.fingerprint, more]);
    }
  }

  /** Whether size or times changed since the last call (then the content must be checked again). */
  hasChanged(stat: BigIntStats): boolean {
    const size = Number(stat.size);
    const changed = stat.mtimeNs !== this.lastMtimeNs || stat.ctimeNs !== this.lastCtimeNs || size !== this.lastSize;
    this.lastMtimeNs = stat.mtimeNs;
    this.lastCtimeNs = stat.ctimeNs;
    this.lastSize = size;
    return changed;
  }

  /**
   * Whether the content read so far is still what the file holds: it is not shorter than readOffset, its first
   * bytes are the fingerprint and the bytes before readOffset are the tail. Not size alone: a copytruncate
   * refilled past the old offset before this check is only seen by content.
   */
  async isIntact(size: number): Promise<boolean> {
    const handle = this.handle;
    if (!handle) return false;
    if (size < this.readOffset) return false;
    const head = await readBytesAt(handle, 0, Math.min(FINGERPRINT_BYTES, size));
    if (!this.acceptHead(head)) return false;
    if (this.tail.length === 0) return true;
    const before = await readBytesAt(handle, this.readOffset - this.tail.length, this.tail.length);
    return before.equals(this.tail);
  }

  /** Synchronous isIntact on the current size, for checkpoints taken at any moment. */
  isIntactSync(): boolean {
    const handle = this.handle;
    if (!handle) return false;
    const size = Number(fstatSync(handle.fd, { bigint: true }).size);
    if (size < this.readOffset) return false;
    const head = readBytesAtSync(handle.fd, 0, Math.min(FINGERPRINT_BYTES, size));
    if (!head.subarray(0, this.fingerprint.length).equals(this.fingerprint)) return false;
    if (this.tail.length === 0) return true;
    return readBytesAtSync(handle.fd, this.readOffset - this.tail.length, this.tail.length).equals(this.tail);
  }

  /** The checkpoint of this file, with its offset moved back to `pendingOffset` when that is earlier. */
  snapshot(pendingOffset: number | undefined): FileCheckpoint | undefined {
    const handle = this.handle;
    if (!handle) {
      if (!this.frozen) return undefined;
      const { processed, pending } = this.frozen;
      if (pendingOffset === undefined || pendingOffset >= processed.offset) return processed;
      // A pending event older than any offset we froze: keep the last saved checkpoint (duplicates, never loss).
      return pending && pending.offset <= pendingOffset ? pending : undefined;
    }
    const offset = pendingOffset === undefined ? this.processedOffset : Math.min(this.processedOffset, pendingOffset);
    // Computed when the content was intact at this offset: still true of the bytes it describes, even if the
    // file was replaced since (a restart then finds it gone, as it would be).
    const last = this.lastSnapshot;
    if (last && last.offset === offset && last.rotated === this.rotated) return last;
    if (!this.isIntactSync()) return undefined;
    const range = getMarkerRange(offset);
    this.lastSnapshot = {
      dev: String(this.dev),
      ino: String(this.ino),
      fingerprint: digestBytes(this.fingerprint),
      offset,
      marker: digestBytes(readBytesAtSync(handle.fd, range.position, range.length)),
      rotated: this.rotated,
    };
    return this.lastSnapshot;
  }

  /**
   * Closes the handle. With `freezeWith`, first computes the checkpoints for the processed offset and for the
   * given pending offset, so the store can still be saved after the engine flushed (or not) its pending event.
   */
  async close(freezeWith?: { pendingOffset: number | undefined }): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    if (freezeWith) {
      try {
        const processed = this.snapshot(undefined);
        const pending = freezeWith.pendingOffset === undefined ? undefined : this.snapshot(freezeWith.pendingOffset);
        if (processed) this.frozen = { processed, pending };
      } catch {
        this.frozen = undefined;
      }
    }
    this.handle = null;
    await handle.close().catch(() => undefined);
  }

  /**
   * Closes the handle of an idle file, keeping its identity, offsets and unfinished line; the checkpoints are
   * frozen first, as at stop. Synchronous up to the close, so the file is parked by the time this returns.
   */
  park(pendingOffset: number | undefined): void {
    if (!this.handle) return;
    this.parked = true;
    void this.close({ pendingOffset });
  }

  /**
   * Reopens a parked file by its inode: at `path` or, renamed while closed, among its rotated siblings. False
   * when no file has its inode any more (deleted, or moved out of the folder): it is gone for good.
   */
  async reopen(path: string): Promise<boolean> {
    if (this.handle) return true;
    for (const candidate of [path, ...(await listRotatedSiblings(path))]) {
      const st = await stat(candidate, { bigint: true }).catch(() => null);
      if (!st || !this.isSameInode(st)) continue;
      const handle = await open(candidate, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
      if (!handle) continue;
      const opened = await handle.stat({ bigint: true }).catch(() => null);
      if (opened && this.isSameInode(opened)) {
        this.handle = handle;
        this.parked = false;
        this.frozen = undefined;
        return true;
      }
      await handle.close().catch(() => undefined);
    }
    return false;
  }

  private async readFingerprint(): Promise<void> {
    if (!this.handle) return;
    this.fingerprint = Buffer.from(await readBytesAt(this.handle, 0, FINGERPRINT_BYTES));
    // A UTF-16 byte order mark must be known even when reading resumes mid-file.
    this.splitter.detectEncoding(this.fingerprint);
  }

  private async readTail(): Promise<void> {
    if (!this.handle) return;
    const range = getMarkerRange(this.readOffset);
    this.tail = Buffer.from(await readBytesAt(this.handle, range.position, range.length));
  }

  /** Compares the file's first bytes with the fingerprint and lets the fingerprint grow with the file. */
  private acceptHead(head: Buffer): boolean {
    if (head.length < this.fingerprint.length) return false;
    if (!head.subarray(0, this.fingerprint.length).equals(this.fingerprint)) return false;
    if (head.length > this.fingerprint.length) this.fingerprint = Buffer.from(head);
    return true;
  }
}
