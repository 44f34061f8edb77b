import type { LogEvent } from "../types.js";
import type { Posicion } from "./create-incident.js";

/**
 * After a crash the tailer resumes from its last checkpoint, so events read shortly before the crash come again.
 * The journal recorded, per incident, where its last folded event ended (`posicion`): a match for the same key in
 * the same file ending at or before that point was already counted and is skipped.
 *
 * The guard only covers the replay: once a file's events pass the highest armed position, its entries are
 * dropped, so a file truncated later in the run (copytruncate keeps dev:ino, offsets restart at 0) is never
 * mistaken for a replay.
 */
export class ReplayGuard {
  private readonly byKey = new Map<string, Posicion>();
  private readonly highWaterByFileId = new Map<string, number>();

  /**
   * Arms the guard with journaled positions, in order of last occurrence: a key's latest incident wins (an older
   * one may sit at a larger offset of a file truncated since).
   */
  arm(positions: Iterable<readonly [key: string, posicion: Posicion]>): void {
    for (const [key, pos] of positions) this.byKey.set(key, { fileId: pos.fileId, endOffset: pos.endOffset });
    this.highWaterByFileId.clear();
    for (const pos of this.byKey.values()) {
      const high = this.highWaterByFileId.get(pos.fileId);
      if (high === undefined || high < pos.endOffset) this.highWaterByFileId.set(pos.fileId, pos.endOffset);
    }
  }

  /** Whether any file is still being replayed. */
  get active(): boolean {
    return this.highWaterByFileId.size > 0;
  }

  /** Sees every event: one that ends past its file's highest armed position ends that file's replay. */
  observe(event: LogEvent): void {
    if (this.highWaterByFileId.size === 0) return;
    const high = this.highWaterByFileId.get(event.fileId);
    if (high === undefined || event.endOffset <= high) return;
    this.highWaterByFileId.delete(event.fileId);
    for (const [key, pos] of this.byKey) if (pos.fileId === event.fileId) this.byKey.delete(key);
  }

  /** True when a match of `key` on `event` was already folded into the journal before the restart. */
  isReplay(key: string, event: LogEvent): boolean {
    if (this.highWaterByFileId.size === 0 || event.endOffset < 0) return false;
    const pos = this.byKey.get(key);
    return pos !== undefined && pos.fileId === event.fileId && event.endOffset <= pos.endOffset;
  }
}
