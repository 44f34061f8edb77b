import type { LogEvent, SourceLine } from "../types.js";

/** How an event stands to a catch-up: inside one, after one in the same file (followed live since), or neither. */
export type CatchUpPosition = "catch_up" | "after_catch_up" | "live";

/**
 * Which bytes of the files followed are a catch-up: what a file already held when vigia first read it, when that is
 * more than one read (`run --from-start` on a big log, a restart after downtime). A backlog read in one go, and
 * everything written after vigia first read a file, are followed live. Decided once per file, on its first batch:
 * where an event lies then depends on its offset alone, not on when the pipeline gets to it.
 */
export class CatchUpRanges {
  /** File id → the offset a catch-up of it ends at. */
  private readonly endByFileId = new Map<string, number>();
  private readonly seen = new Set<string>();

  /**
   * Takes note of a batch of lines from one file; `readSize()` gives the file's size as the tailer last saw it,
   * asked only on the first batch of a file.
   */
  noteBatch(lines: readonly SourceLine[], readSize: (fileId: string) => number | null): void {
    const last = lines[lines.length - 1];
    if (!last || last.endOffset < 0 || this.seen.has(last.fileId)) return;
    this.seen.add(last.fileId);
    const size = readSize(last.fileId);
    if (size !== null && size > last.endOffset) this.endByFileId.set(last.fileId, size);
  }

  classify(event: LogEvent): CatchUpPosition {
    const end = this.endByFileId.get(event.fileId);
    if (end === undefined) return "live";
    return event.endOffset <= end ? "catch_up" : "after_catch_up";
  }
}
