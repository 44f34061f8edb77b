import type { SourceLine } from "../types.js";
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./line-splitter.js";

export interface StreamLinesOptions {
  /** Pseudo file name put in SourceLine.file and fileId (default `<stdin>`). */
  file?: string;
  maxLineBytes?: number;
  /** Called for each line cut to maxLineBytes. */
  onTruncatedLine?(line: SourceLine): void;
}

/**
 * Reads lines from a stream (stdin, a child's stdout) until it ends, with the file tailer's line rules: split on
 * LF, CR stripped, UTF-8 decoded per whole line, cut at `maxLineBytes`; a last line without newline is emitted at
 * the end. Offsets are -1: a stream cannot be resumed. One batch per chunk read.
 */
export async function readLinesFromStream(
  stream: AsyncIterable<Buffer | string>,
  source: string,
  onLines: (lines: SourceLine[]) => void,
  options: StreamLinesOptions = {},
): Promise<void> {
  const file = options.file ?? "<stdin>";
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let batch: SourceLine[] = [];
  let readAtMs = 0;
  const sink = (text: string, _offset: number, _endOffset: number, truncatedBytes: number): void => {
    const line: SourceLine = { source, file, text, offset: -1, endOffset: -1, fileId: file, readAtMs };
    if (truncatedBytes > 0) {
      line.truncatedBytes = truncatedBytes;
      options.onTruncatedLine?.(line);
    }
    batch.push(line);
  };
  const deliver = (): void => {
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    onLines(lines);
  };
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    readAtMs = Date.now();
    splitter.push(bytes, 0, bytes.length, sink);
    deliver();
  }
  readAtMs = Date.now();
  splitter.flush(sink);
  deliver();
}
