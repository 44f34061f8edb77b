/** A tailer as the budget sees it: it holds open files and can close its idle one when asked. */
export interface BudgetMember {
  /** Closes the member's idle file (it reopens it on its next change); returns how many handles it closed. */
  parkIdleFile(): number;
}

/** Defaults of the budget, in one place. */
export const OPEN_FILE_BUDGET_DEFAULTS = {
  /** Reads (tailer checks) running at once: each may open a few files for a moment (a copy, a rotated sibling). */
  maxConcurrentReads: 8,
  /** Files one read may open for a moment beyond those it holds. */
  transientFilesPerRead: 2,
} as const;

/**
 * Bounds the files the tailers hold open: at most `maxOpenFiles` between reads (plus a few per read in progress),
 * whatever the number of followed files.
 *
 * When a read needs room, the least recently active idle tailer closes its file. It keeps what identifies the file
 * (inode, fingerprint, offset, unfinished line) and reopens it, by inode, on its next change; a file renamed while
 * closed is found again among its rotated siblings. Rotated files still being drained are never closed (a deleted
 * file could not be reopened). Reads are also limited to `maxConcurrentReads` at once, which bounds the files
 * opened for a moment while reading and keeps 1 000 tailers from opening 1 000 files at once on start.
 */
export class OpenFileBudget {
  readonly maxOpenFiles: number;
  readonly maxConcurrentReads: number;
  private readonly held = new Map<BudgetMember, number>();
  /** Members holding files and not reading, least recently active first (a Set keeps insertion order). */
  private readonly idle = new Set<BudgetMember>();
  private heldTotal = 0;
  private reading = 0;
  private readonly waiting: Array<() => void> = [];
  private parkedCount = 0;

  constructor(options: { maxOpenFiles: number; maxConcurrentReads?: number }) {
    this.maxOpenFiles = options.maxOpenFiles;
    this.maxConcurrentReads = options.maxConcurrentReads ?? OPEN_FILE_BUDGET_DEFAULTS.maxConcurrentReads;
  }

  /** Waits for a read slot, then makes room for what the read may open. */
  async enter(member: BudgetMember): Promise<void> {
    this.idle.delete(member);
    if (this.reading >= this.maxConcurrentReads) {
      // The slot is handed over by leave(): `reading` already counts this read when it resumes.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.reading++;
    }
    this.makeRoom(this.reading * OPEN_FILE_BUDGET_DEFAULTS.transientFilesPerRead);
  }

  /** Ends a read: `heldFiles` are the files the member keeps open; it becomes the most recently active. */
  leave(member: BudgetMember, heldFiles: number): void {
    this.setHeld(member, heldFiles);
    if (heldFiles > 0) this.idle.add(member);
    this.makeRoom(0);
    const next = this.waiting.shift();
    if (next) next();
    else this.reading--;
  }

  /** A member that stopped: its files are closed. */
  forget(member: BudgetMember): void {
    this.setHeld(member, 0);
    this.idle.delete(member);
  }

  getStats(): { heldFiles: number; maxOpenFiles: number; parkedFiles: number } {
    return { heldFiles: this.heldTotal, maxOpenFiles: this.maxOpenFiles, parkedFiles: this.parkedCount };
  }

  /** Closes idle files, least recently active first, until the held files plus `extra` fit. */
  private makeRoom(extra: number): void {
    for (const member of this.idle) {
      if (this.heldTotal + extra <= this.maxOpenFiles) return;
      this.idle.delete(member);
      const closed = member.parkIdleFile();
      this.parkedCount += closed;
      this.setHeld(member, (this.held.get(member) ?? 0) - closed);
    }
  }

  private setHeld(member: BudgetMember, count: number): void {
    this.heldTotal += count - (this.held.get(member) ?? 0);
    if (count > 0) this.held.set(member, count);
    else this.held.delete(member);
  }
}
