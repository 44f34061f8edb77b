import { detectUtf16Bom, Utf16LineSplitter } from "./utf16-line-splitter.js";

/** Receives one complete line: its text, the byte offsets it spans, and how many bytes the cap dropped. */
export type LineSink = (text: string, offset: number, endOffset: number, truncatedBytes: number) => void;

/** The contract's `max_line_bytes` default: longer lines are cut and the rest counted. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const MIN_HELD_BYTES = 256;

/**
 * Cuts a byte stream into lines, counting positions in bytes. A line ends with LF, CRLF, or a CR alone (a writer
 * that ends lines with CR must not have two errors merged into one line, seen only when an LF comes). A CRLF cut
 * between two reads is still one line end: the line is emitted at its CR, and the LF that starts the next read
 * (or the offset a resume starts at) is skipped.
 *
 * Bytes are decoded only once a line is complete, so a UTF-8 character split across reads comes out whole.
 * An unfinished line is held (at most `maxLineBytes` + 1 bytes, whatever its real length) until its LF
 * arrives; `committedOffset` stays at its first byte so a checkpoint never skips it. NUL bytes at the start
 * of a line are skipped: they are the hole a writer without O_APPEND leaves after a copytruncate.
 */
export class LineSplitter {
  readonly maxLineBytes: number;
  private held: Buffer | null = null;
  private heldLength = 0;
  /** Bytes of the unfinished line beyond the cap: counted, not kept. */
  private droppedBytes = 0;
  private lastByte = -1;
  private inLine = false;
  /** The last line ended with a CR at the very end of a read, so an LF right after it is part of its terminator. */
  private afterLoneCR: boolean;
  /** Set when the content is UTF-16: every call is then handed to it. */
  private utf16: Utf16LineSplitter | null = null;
  private lineOffset: number;
  private position: number;

  constructor(maxLineBytes: number, startOffset = 0) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected a positive integer, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
    this.position = startOffset;
    this.lineOffset = startOffset;
    // Resuming mid-file: the offset may fall between the CR and the LF of one line end.
    this.afterLoneCR = startOffset > 0;
  }

  /** Offset of the next byte to push. */
  get nextOffset(): number {
    return this.utf16 ? this.utf16.nextOffset : this.position;
  }

  /** Offset up to which every line has been emitted: the start of the held line, or `nextOffset`. */
  get committedOffset(): number {
    if (this.utf16) return this.utf16.committedOffset;
    return this.inLine ? this.lineOffset : this.position;
  }

  /** Whether an unfinished line is held. */
  get hasHeldLine(): boolean {
    return this.utf16 ? this.utf16.hasHeldLine : this.inLine;
  }

  /** The encoding lines are decoded from: UTF-8 unless the file starts with a UTF-16 byte order mark. */
  get encoding(): string {
    return this.utf16?.encoding ?? "utf-8";
  }

  /**
   * Looks at the file's first bytes (read when it is opened): a UTF-16 byte order mark switches decoding, also
   * when reading resumes mid-file, where the mark is never pushed.
   */
  detectEncoding(fileStart: Uint8Array): void {
    const encoding = detectUtf16Bom(fileStart);
    if (encoding && !this.utf16) this.utf16 = new Utf16LineSplitter(encoding, this.maxLineBytes, this.position);
  }

  /** Forgets any held line and continues at `offset` (after a truncation). */
  reset(offset: number): void {
    // New content: its encoding is looked at again (by detectEncoding or the first bytes pushed at 0).
    this.utf16 = null;
    this.clearLine();
    this.position = offset;
    this.lineOffset = offset;
    this.afterLoneCR = offset > 0;
  }

  /** Splits `buf[start, end)`, which continues the stream at `nextOffset`, calling `sink` per complete line. */
  push(buf: Buffer, start: number, end: number, sink: LineSink): void {
    if (!this.utf16 && this.position < 2 && this.switchToUtf16AtStart(buf, start, end)) return this.utf16!.push(buf, start, end, sink);
    if (this.utf16) return this.utf16.push(buf, start, end, sink);
    const base = this.position - start;
    let pos = start;
    if (this.afterLoneCR && pos < end) {
      // The LF of a CRLF whose CR ended the previous read: the line was emitted at its CR.
      if (buf[pos] === LF && !this.inLine) pos++;
      this.afterLoneCR = false;
    }
    // Next CR at or after `pos`, searched once per chunk and reused: most logs have none at all.
    let cr = -2;
    while (pos < end) {
      if (!this.inLine) {
        while (pos < end && buf[pos] === NUL) pos++;
        if (pos === end) break;
        this.inLine = true;
        this.lineOffset = base + pos;
      }
      let nl = buf.indexOf(LF, pos);
      if (nl >= end) nl = -1; // a stale byte past `end` of a reused read buffer
      if (cr !== -1 && cr < pos) {
        cr = buf.indexOf(CR, pos);
        if (cr >= end) cr = -1;
      }
      // A CR that is not the first half of a CRLF ends the line by itself (old Mac files, progress output).
      if (cr !== -1 && (nl === -1 || cr < nl - 1)) {
        this.endLineAt(buf, pos, cr, base + cr + 1, sink);
        pos = cr + 1;
        // The chunk ends with this CR: an LF at the start of the next one belongs to it.
        if (pos === end) this.afterLoneCR = true;
        continue;
      }
      if (nl === -1) {
        this.appendCapped(buf, pos, end);
        break;
      }
      this.endLineAt(buf, pos, nl, base + nl + 1, sink);
      pos = nl + 1;
    }
    this.position = base + end;
  }

  /**
   * Whether the stream starts with a UTF-16 byte order mark (looking at the byte held from a 1-byte first read
   * too); if so, decoding switches to UTF-16 from offset 0 and the held byte is handed over.
   */
  private switchToUtf16AtStart(buf: Buffer, start: number, end: number): boolean {
    const heldFirst = this.position === 1 && this.inLine && this.lineOffset === 0 && this.heldLength === 1 ? this.held!.subarray(0, 1) : null;
    if (this.position === 1 && !heldFirst) return false;
    const head = heldFirst ? Buffer.concat([heldFirst, buf.subarray(start, Math.min(end, start + 1))]) : buf.subarray(start, end);
    const encoding = detectUtf16Bom(head);
    if (!encoding) return false;
    this.clearLine();
    this.utf16 = new Utf16LineSplitter(encoding, this.maxLineBytes, 0);
    if (heldFirst) this.utf16.push(heldFirst, 0, 1, () => undefined);
    return true;
  }

  /** Emits the line that ends with the terminator at `terminator` (LF, or a lone CR). */
  private endLineAt(buf: Buffer, pos: number, terminator: number, endOffset: number, sink: LineSink): void {
    if (this.heldLength === 0 && this.droppedBytes === 0) {
      this.emitFromChunk(buf, pos, terminator, endOffset, sink);
    } else {
      this.appendCapped(buf, pos, terminator);
      this.emitHeld(endOffset, sink);
    }
  }

  /** Emits the held line as it is: the file it came from will never complete it (rotated away, truncated). */
  flush(sink: LineSink): void {
    if (this.utf16) return this.utf16.flush(sink);
    if (this.inLine) this.emitHeld(this.position, sink);
  }

  /** Fast path: the whole line lies in the current chunk, nothing held. */
  private emitFromChunk(buf: Buffer, pos: number, nl: number, endOffset: number, sink: LineSink): void {
    let contentEnd = nl;
    if (contentEnd > pos && buf[contentEnd - 1] === CR) contentEnd--;
    const offset = this.lineOffset;
    this.inLine = false;
    if (contentEnd - pos <= this.maxLineBytes) {
      sink(decodeLine(buf, pos, contentEnd, offset), offset, endOffset, 0);
      return;
    }
    const cut = findCharBoundary(buf, pos, pos + this.maxLineBytes);
    sink(decodeLine(buf, pos, cut, offset), offset, endOffset, contentEnd - cut);
  }

  private emitHeld(endOffset: number, sink: LineSink): void {
    const held = this.held as Buffer;
    // A trailing CR is part of the terminator; it is the last byte kept or the last byte dropped.
    if (this.lastByte === CR) {
      if (this.droppedBytes > 0) this.droppedBytes--;
      else if (this.heldLength > 0) this.heldLength--;
    }
    const total = this.heldLength + this.droppedBytes;
    let keep = this.heldLength;
    if (keep > this.maxLineBytes) keep = findCharBoundary(held, 0, this.maxLineBytes);
    const text = keep > 0 ? decodeLine(held, 0, keep, this.lineOffset) : "";
    const offset = this.lineOffset;
    this.clearLine();
    sink(text, offset, endOffset, total - keep);
  }

  /** Holds bytes of the unfinished line, keeping one byte past the cap to find a character boundary later. */
  private appendCapped(buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    this.lastByte = buf[end - 1];
    const keepLimit = this.maxLineBytes + 1;
    const room = keepLimit - this.heldLength;
    const copied = room < length ? room : length;
    if (copied > 0) {
      this.ensureHeldCapacity(this.heldLength + copied, keepLimit);
      buf.copy(this.held as Buffer, this.heldLength, start, start + copied);
      this.heldLength += copied;
    }
    this.droppedBytes += length - copied;
  }

  private ensureHeldCapacity(needed: number, keepLimit: number): void {
    const current = this.held;
    if (current && current.length >= needed) return;
    const size = Math.min(keepLimit, Math.max(needed * 2, MIN_HELD_BYTES));
    const grown = Buffer.allocUnsafe(size);
    if (current && this.heldLength > 0) current.copy(grown, 0, 0, this.heldLength);
    this.held = grown;
  }

  private clearLine(): void {
    this.inLine = false;
    this.heldLength = 0;
    this.droppedBytes = 0;
    this.lastByte = -1;
  }
}

/** Decodes a line's bytes as UTF-8; the first line of a file loses its byte order mark (offsets still count it). */
function decodeLine(bytes: Buffer, start: number, end: number, lineOffset: number): string {
  const text = bytes.toString("utf8", start, end);
  return lineOffset === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Moves a cut at `cut` back to the start of the UTF-8 character it would split, so a capped line ends in
 * whole characters. Invalid sequences (more than 3 continuation bytes) are cut where asked.
 */
export function findCharBoundary(bytes: Uint8Array, start: number, cut: number): number {
  let c = cut;
  for (let step = 0; step < 3 && c > start && (bytes[c] & 0xc0) === 0x80; step++) c--;
  return (bytes[c] & 0xc0) === 0x80 ? cut : c;
}
