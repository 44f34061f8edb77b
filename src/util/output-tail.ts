/**
 * Keeps the last `maxBytes` of a stream and counts the rest. A command that prints 100 MB costs `maxBytes` of
 * memory, and the journal still gets the part that usually explains a failure: the end.
 */
export interface OutputTail {
  push(chunk: Buffer | string): void;
  /** The kept tail as UTF-8 (a character cut at the start of the window shows as U+FFFD). */
  text(): string;
  /** Every byte seen, kept or not. */
  readonly totalBytes: number;
}

/** Creates an empty bounded tail. */
export function createOutputTail(maxBytes: number): OutputTail {
  let kept = Buffer.alloc(0);
  let totalBytes = 0;
  return {
    push(chunk) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      totalBytes += bytes.length;
      if (maxBytes <= 0) return;
      if (bytes.length >= maxBytes) {
        // Copy: subarray would pin the whole (possibly large) chunk in memory.
        kept = Buffer.from(bytes.subarray(bytes.length - maxBytes));
      } else {
        const joined = Buffer.concat([kept, bytes]);
        kept = joined.length > maxBytes ? Buffer.from(joined.subarray(joined.length - maxBytes)) : joined;
      }
    },
    text: () => kept.toString("utf8"),
    get totalBytes() {
      return totalBytes;
    },
  };
}
