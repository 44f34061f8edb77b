import { constants, type BigIntStats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { FINGERPRINT_BYTES, getMarkerRange, matchesDigest, readBytesAt, type Digest } from "./fingerprint.js";
import { formatFileId } from "./followed-file.js";
import { isCompressedName, listRotatedSiblings } from "./rotated-siblings.js";

/** logrotate's default `compress` (gzip): the only compressed rotation whose content is read back. */
const GZIP_NAME = /\.gz$/;

const COMPRESSED_CHUNK_BYTES = 64 * 1024;

/** Reads of the folder taken until no new sibling name shows up: a rotation renaming `.1` to `.2` meanwhile is seen. */
const MAX_LISTINGS = 4;

/**
 * A rotated sibling of a followed file, open for reading its content: a plain copy (`bot.log.1`) or a gzip one
 * (`bot.log.2.gz`, decompressed as it is read). Opened once, so a rotation renaming it meanwhile does not matter.
 */
export class RotatedCopy {
  readonly fileId: string;
  readonly compressed: boolean;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly stat: BigIntStats,
  ) {
    this.fileId = formatFileId(stat);
    this.compressed = GZIP_NAME.test(path);
  }

  /** Opens `path`; null when it is gone, empty, not a regular file or unreadable. */
  static async open(path: string): Promise<RotatedCopy | null> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
    if (!handle) return null;
    const st = await handle.stat({ bigint: true }).catch(() => null);
    if (st?.isFile() && st.size > 0n) return new RotatedCopy(path, handle, st);
    await handle.close().catch(() => undefined);
    return null;
  }

  /** Its first (up to FINGERPRINT_BYTES) bytes of content: fewer for a short file, none for a gzip file not readable yet. */
  async readHead(): Promise<Buffer> {
    if (!this.compressed) return readBytesAt(this.handle, 0, FINGERPRINT_BYTES);
    const parts: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of this.inflate()) {
        parts.push(chunk as Buffer);
        length += (chunk as Buffer).length;
        if (length >= FINGERPRINT_BYTES) break;
      }
    } catch {
      /* not (yet) a complete gzip stream: what was decompressed is its head */
    }
    return Buffer.concat(parts).subarray(0, FINGERPRINT_BYTES);
  }

  /**
   * Its content from `offset` on, in chunks (a plain copy is read into `buffer`, each chunk valid until the next).
   * With `marker`, the bytes just before `offset` must hash to it: null when they do not, or the content is shorter.
   */
  async readFrom(offset: number, buffer: Buffer, marker?: Digest): Promise<AsyncGenerator<Buffer> | null> {
    const range = getMarkerRange(offset);
    if (!this.compressed) {
      if (Number(this.stat.size) < offset) return null;
      if (marker && !matchesDigest(await readBytesAt(this.handle, range.position, range.length), marker)) return null;
      return readPlain(this.handle, offset, buffer);
    }
    // A gzip file is decompressed from its start up to `offset`, keeping the marked bytes on the way.
    const chunks = this.inflate()[Symbol.asyncIterator]();
    const before: Buffer[] = [];
    let position = 0;
    let rest: Buffer | null = null;
    try {
      while (rest === null) {
        const next = await chunks.next();
        if (next.done) break;
        const chunk = next.value as Buffer;
        const end = position + chunk.length;
        const from = Math.max(range.position, position);
        const to = Math.min(offset, end);
        if (to > from) before.push(chunk.subarray(from - position, to - position));
        if (end >= offset) rest = chunk.subarray(offset - position);
        position = end;
      }
    } catch (error) {
      await chunks.return?.(undefined);
      throw error;
    }
    if (offset === 0 && rest === null) rest = Buffer.alloc(0);
    if (rest === null || (marker && !matchesDigest(Buffer.concat(before), marker))) {
      await chunks.return?.(undefined);
      return null;
    }
    return continueInflating(rest, chunks);
  }

  /**
   * Whether this copy holds the start of content read further than its end: logrotate copied it, then the writer
   * appended and a read took those bytes before the truncation. Its first bytes are the read content's, and its
   * last ones agree with the bytes just before `read.offset` where they overlap (compared whole when short).
   */
  async endsWithin(read: { fingerprint: Buffer; offset: number; tail: Buffer }): Promise<boolean> {
    const length = await this.readLength();
    if (length >= read.offset || length === 0) return false;
    if (length <= read.fingerprint.length) return (await this.readRange(0, length)).equals(read.fingerprint.subarray(0, length));
    if (read.fingerprint.length < FINGERPRINT_BYTES || !(await this.readHead()).equals(read.fingerprint)) return false;
    const tailStart = read.offset - read.tail.length;
    if (length <= tailStart) return true;
    return (await this.readRange(tailStart, length - tailStart)).equals(read.tail.subarray(0, length - tailStart));
  }

  /** Length of its content (decompressed, for a gzip file). */
  private async readLength(): Promise<number> {
    if (!this.compressed) return Number(this.stat.size);
    let length = 0;
    for await (const chunk of this.inflate()) length += (chunk as Buffer).length;
    return length;
  }

  /** `length` bytes of its content at `position` (decompressed, for a gzip file). */
  private async readRange(position: number, length: number): Promise<Buffer> {
    if (!this.compressed) return readBytesAt(this.handle, position, length);
    const chunks = await this.readFrom(position, Buffer.alloc(0));
    const parts: Buffer[] = [];
    let filled = 0;
    if (chunks) {
      for await (const chunk of chunks) {
        parts.push(chunk);
        filled += chunk.length;
        if (filled >= length) break;
      }
    }
    return Buffer.concat(parts).subarray(0, length);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  /** The decompressed content from its start; positional reads, so the handle stays open for the next pass. */
  private inflate(): AsyncIterable<unknown> {
    return pipeline(Readable.from(readCompressed(this.handle)), createGunzip(), () => undefined);
  }
}

async function* readCompressed(handle: FileHandle): AsyncGenerator<Buffer> {
  for (let position = 0; ; ) {
    const buffer = Buffer.allocUnsafe(COMPRESSED_CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function* readPlain(handle: FileHandle, offset: number, buffer: Buffer): AsyncGenerator<Buffer> {
  for (let position = offset; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function* continueInflating(first: Buffer, chunks: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

/**
 * Opens every rotated sibling of `path` whose content can be read (plain and `.gz`), each file once, except those
 * `isKnown` recognises from their stat: these are neither opened nor read, and are returned as their stats. The
 * folder is read again until no new name shows up, so a copy renamed on (`.1` → `.2`) while the first names were
 * opened is still found under its new name.
 */
export async function openRotatedCopies(
  path: string,
  isKnown: (st: BigIntStats) => boolean = () => false,
): Promise<{ copies: RotatedCopy[]; known: BigIntStats[] }> {
  const tried = new Set<string>();
  const copies: RotatedCopy[] = [];
  const known: BigIntStats[] = [];
  for (let listing = 0; listing < MAX_LISTINGS; listing++) {
    const fresh = (await listRotatedSiblings(path, { compressed: true })).filter((name) => !tried.has(name) && isReadableRotation(name));
    if (fresh.length === 0) break;
    for (const name of fresh) {
      tried.add(name);
      const st = await stat(name, { bigint: true }).catch(() => null);
      if (!st) continue;
      if (isKnown(st)) {
        known.push(st);
        continue;
      }
      const copy = await RotatedCopy.open(name);
      if (!copy) continue;
      // Renamed between the stat and the open, the name may now be another file: the open one is what counts.
      if (isKnown(copy.stat)) {
        known.push(copy.stat);
        await copy.close();
      } else if (copies.some((other) => other.fileId === copy.fileId)) await copy.close();
      else copies.push(copy);
    }
  }
  return { copies, known };
}

/** Plain names and gzip ones; other compressions (`.bz2`, `.xz`, `.zst`…) cannot be read back. */
function isReadableRotation(name: string): boolean {
  return GZIP_NAME.test(name) || !isCompressedName(name);
}

/** Whether two contents start alike: equal over the shorter of their first bytes (none is never alike). */
export function startAlike(a: Buffer, b: Buffer): boolean {
  const length = Math.min(a.length, b.length);
  return length > 0 && a.subarray(0, length).equals(b.subarray(0, length));
}
