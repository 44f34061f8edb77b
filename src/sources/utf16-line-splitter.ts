import { TextDecoder } from "node:util";
import type { LineSink } from "./line-splitter.js";

export type Utf16Encoding = "utf-16le" | "utf-16be";

const LF = 10;
const CR = 13;
const BOM = 0xfeff;
const LINE_END = /[\r\n]/g;

/**
 * The line splitter of a UTF-16 file (a log written by a Windows tool, announced by its byte order mark). Same
 * contract as LineSplitter: offsets in bytes of the file, LF, CRLF or a lone CR end a line, lines are capped at
 * `maxLineBytes` (of UTF-16) with the rest counted. Every code unit is two bytes, so the offset of any decoded
 * character is known exactly; the streaming decoder holds an odd byte or half a surrogate pair across reads.
 */
export class Utf16LineSplitter {
  private decoder: TextDecoder;
  private held = "";
  private droppedBytes = 0;
  private inLine = false;
  private lineOffset: number;
  /** Offset of the next byte to push. */
  private position: number;
  /** Offset just past the last decoded code unit (bytes pushed but not decoded yet belong to the next line). */
  private decodedOffset: number;
  private afterLoneCR: boolean;

  constructor(
    readonly encoding: Utf16Encoding,
    readonly maxLineBytes: number,
    startOffset = 0,
  ) {
    this.decoder = new TextDecoder(encoding, { ignoreBOM: true });
    this.position = startOffset;
    this.decodedOffset = startOffset;
    this.lineOffset = startOffset;
    this.afterLoneCR = startOffset > 0;
  }

  get nextOffset(): number {
    return this.position;
  }

  get committedOffset(): number {
    return this.inLine ? this.lineOffset : this.decodedOffset;
  }

  get hasHeldLine(): boolean {
    return this.inLine || this.decodedOffset < this.position;
  }

  reset(offset: number): void {
    this.decoder = new TextDecoder(this.encoding, { ignoreBOM: true });
    this.clearLine();
    this.position = offset;
    this.decodedOffset = offset;
    this.lineOffset = offset;
    this.afterLoneCR = offset > 0;
  }

  push(buf: Buffer, start: number, end: number, sink: LineSink): void {
    this.position += end - start;
    this.splitText(this.decoder.decode(buf.subarray(start, end), { stream: true }), sink);
  }

  flush(sink: LineSink): void {
    this.splitText(this.decoder.decode(), sink);
    if (this.inLine) this.emit(this.position, sink);
  }

  private splitText(text: string, sink: LineSink): void {
    const base = this.decodedOffset;
    let at = 0;
    // The byte order mark is not part of the first line's text (its offset stays exact: 2).
    if (base === 0 && text.charCodeAt(0) === BOM) at = 1;
    if (this.afterLoneCR && at < text.length) {
      if (text.charCodeAt(at) === LF && !this.inLine) at++;
      this.afterLoneCR = false;
    }
    while (at < text.length) {
      if (!this.inLine) {
        this.inLine = true;
        this.lineOffset = base + 2 * at;
      }
      LINE_END.lastIndex = at;
      const found = LINE_END.exec(text);
      if (!found) {
        this.appendCapped(text.slice(at));
        break;
      }
      const end = found.index;
      this.appendCapped(text.slice(at, end));
      let next = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (next === text.length) this.afterLoneCR = true;
        else if (text.charCodeAt(next) === LF) next++;
      }
      this.emit(base + 2 * next, sink);
      at = next;
    }
    this.decodedOffset = base + 2 * text.length;
  }

  private appendCapped(piece: string): void {
    const room = Math.max(0, Math.floor(this.maxLineBytes / 2) - this.held.length);
    let kept = piece.length <= room ? piece : piece.slice(0, room);
    // Never end on half a surrogate pair.
    const last = kept.charCodeAt(kept.length - 1);
    if (kept.length < piece.length && last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
    this.held += kept;
    this.droppedBytes += 2 * (piece.length - kept.length);
  }

  private emit(endOffset: number, sink: LineSink): void {
    const text = this.held;
    const dropped = this.droppedBytes;
    const offset = this.lineOffset;
    this.clearLine();
    sink(text, offset, endOffset, dropped);
  }

  private clearLine(): void {
    this.inLine = false;
    this.held = "";
    this.droppedBytes = 0;
  }
}

/** The encoding a file's first bytes announce with a byte order mark, or null (UTF-8, with or without its BOM). */
export function detectUtf16Bom(fileStart: Uint8Array): Utf16Encoding | null {
  if (fileStart.length < 2) return null;
  if (fileStart[0] === 0xff && fileStart[1] === 0xfe) return "utf-16le";
  if (fileStart[0] === 0xfe && fileStart[1] === 0xff) return "utf-16be";
  return null;
}
