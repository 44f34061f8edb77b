import { stat, type FileHandle } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { resolve } from "node:path";
import type { SourceLine } from "../types.js";
import { describeError } from "../util/describe-error.js";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";
import type { CheckpointStore, FileCheckpoint, PathCheckpoint } from "./checkpoint-store.js";
import { FINGERPRINT_BYTES, digestBytes, readBytesAt } from "./fingerprint.js";
import { FollowedFile, formatFileId, NotARegularFileError } from "./followed-file.js";
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSink } from "./line-splitter.js";
import type { BudgetMember, OpenFileBudget } from "./open-file-budget.js";
import { PathWatcher } from "./path-watcher.js";
import { openRotatedCopies, RotatedCopy, startAlike } from "./rotated-copies.js";
import { isCompressedName, listRotatedSiblings, locateCheckpointedFile } from "./rotated-siblings.js";

/** Defaults of the tailer's options, in one place. */
export const TAILER_DEFAULTS = {
  startAt: "end",
  /** Lines longer than this are cut (the rest is counted in `truncatedBytes`); the contract's `max_line_bytes`. */
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  /**
   * The stat check without a folder watcher, and with one while a rotated file is being drained or after the
   * watcher missed a change of this file (a symlink into another folder, a network filesystem).
   */
  pollIntervalMs: 250,
  /** The safety stat check of a file whose folder watcher has not missed a change: an idle file costs next to nothing. */
  watchedPollIntervalMs: 10_000,
  /** How long a file whose change the watcher missed is polled every pollIntervalMs. */
  watchMissedFastPollMs: 5 * 60 * 1000,
  /** How long a file rotated away is still read for late writes of a writer that has not reopened yet. */
  rotateGraceMs: 5000,
  /** Big reads: catching up a large file costs one syscall per MiB, not per line. */
  readChunkBytes: 1024 * 1024,
} as const;

export interface FileTailerOptions {
  /** Source name from the config; becomes SourceLine.source. */
  source: string;
  /** The file to follow (absolute); it may not exist yet. */
  path: string;
  checkpoints: CheckpointStore;
  /** Where to start in a file seen for the first time with no checkpoint: its end (default) or its beginning (`--from-start`). */
  startAt?: "end" | "beginning";
  maxLineBytes?: number;
  pollIntervalMs?: number;
  watchedPollIntervalMs?: number;
  rotateGraceMs?: number;
  readChunkBytes?: number;
  /** Watch the folder for early wake-ups (default true); false leaves only the stat poll. */
  watch?: boolean;
  /** A watcher shared by several tailers; by default each tailer makes its own. */
  watcher?: PathWatcher;
  /** Bounds the files held open by a group of tailers (an idle file is closed and reopened on change); none by default. */
  budget?: OpenFileBudget;
  /** Receives lines in batches, in file order; a batch counts as processed when this returns. */
  onLines(lines: SourceLine[]): void;
  onEvent?(event: TailerEvent): void;
  /** First offset of an event still being grouped or matched in file `fileId`: the checkpoint stays before it. */
  getPendingOffset?(fileId: string): number | undefined;
  /** Awaited before each read: lets a slower stage downstream hold reading back. */
  waitForCapacity?(): Promise<void>;
  /** The polls, the rotated files' grace periods and the lines' read times. Default systemClock. */
  clock?: Clock;
}

export type TailerEventType =
  | "opened"
  | "resumed"
  | "rotated"
  | "truncated"
  | "closed"
  | "missing"
  | "unreadable"
  | "line_truncated"
  | "error";

/** Something the tailer did or met, for the log and metrics. */
export interface TailerEvent {
  type: TailerEventType;
  source: string;
  path: string;
  detail?: string;
}

export interface TailerStats {
  source: string;
  path: string;
  /** Whether a file is being followed at the path. */
  exists: boolean;
  fileId: string | null;
  /** Offset just past the last line handed over, in the file at the path. */
  offset: number;
  /** Size at the last stat check. */
  size: number;
  /** Bytes written to the file and not read yet (as of the last check). */
  lagBytes: number;
  lastLineAtMs: number | null;
  linesRead: number;
  bytesRead: number;
  /** Files that left the path (renamed, replaced or deleted). */
  rotations: number;
  /** Files whose content was replaced in place (copytruncate, truncate). */
  truncations: number;
  truncatedLines: number;
  /** Rotated files still read for late writes. */
  drainingFiles: number;
}

/** How many first-bytes of contents already read (or there before) a tailer keeps, to know their copies again. */
const KNOWN_CONTENT_KEPT = 32;

/** How far back from the end the start of the last line is looked for, at first sight with startAt "end". */
const LAST_LINE_SEARCH_BYTES = 64 * 1024;

type PathStat = { stat: BigIntStats; code?: undefined } | { stat?: undefined; code: string };

/**
 * Follows one path through appends, rotation and truncation, emitting every line once, in batches.
 *
 * The state machine: `current` is the file at the path; `draining` holds files that left it (rename, delete) and
 * are still read until `rotateGraceMs` has passed. Each cycle stats the path, compares the inode and the content
 * (fingerprint of the first bytes, the bytes before the read offset) with what was read, then reads every file to
 * its end with positional reads. Cycles run every `pollIntervalMs` and whenever the folder watcher pokes.
 */
export class FileTailer implements BudgetMember {
  readonly source: string;
  /** Resolved path: the key of the checkpoint. */
  readonly path: string;
  private readonly file: string;
  private readonly settings: {
    startAt: "end" | "beginning";
    maxLineBytes: number;
    pollIntervalMs: number;
    watchedPollIntervalMs: number;
    rotateGraceMs: number;
  };
  private readonly options: FileTailerOptions;
  private readonly clock: Clock;
  private current: FollowedFile | null = null;
  private draining: FollowedFile[] = [];
  /** Inodes (`dev:ino`) of files already read or already there when a file was opened: never read as new. */
  private readonly knownFileIds = new Set<string>();
  /**
   * The first bytes of contents already read or there before (siblings at start, files drained, what a truncation
   * replaced): a compressed copy of one is a new inode but not news.
   */
  private readonly knownContent: Buffer[] = [];
  /**
   * The rotated siblings there now that are not news (see copyKey): read, or there before, and renamed on since.
   * Not inodes alone: a copy made after `rotate N` deleted the oldest often gets its inode.
   */
  private knownCopies = new Set<string>();
  private phase: "new" | "running" | "stopping" | "stopped" = "new";
  /** Set by `interrupt` (or a stop): reading ends after the chunk under way; what is left stays behind the checkpoint. */
  private interrupted = false;
  /** Whether an interrupted read left bytes unread: the stop then reads no more (a backlog is the next start's). */
  private leftUnread = false;
  private firstLook = true;
  /**
   * Resolves once the first look has fixed where reading starts (a checkpoint, the beginning, the end), before what
   * is due is read: a line written from then on is read whatever the backlog before it.
   */
  readonly positioned: Promise<void>;
  private markPositioned!: () => void;
  /** Whether a file was followed before: a file appearing now was rotated in. */
  private hadFile = false;
  private pathProblem: string | null = null;
  private running: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private again = false;
  private timer: TimerHandle | null = null;
  private timerIsFast = false;
  /** Whether the watcher woke this tailer since the last check: a change found without it is a missed event. */
  private woken = false;
  /** Until when every check is a fast one, because the watcher missed a change of this file. */
  private fastPollUntilMs = 0;
  /** Set by a check that found the file at the path unchanged since the last one: no read needed. */
  private currentUnchanged = false;
  private lastCheckpoint: PathCheckpoint | undefined;
  private watcher: PathWatcher | null = null;
  private ownsWatcher = false;
  private unwatch: (() => void) | null = null;
  private readonly buffer: Buffer;
  private batch: SourceLine[] = [];
  private batchFileId = "";
  private batchReadAtMs = 0;
  private readonly sink: LineSink;
  private readonly counters = {
    linesRead: 0,
    bytesRead: 0,
    rotations: 0,
    truncations: 0,
    truncatedLines: 0,
    lastLineAtMs: null as number | null,
  };

  constructor(options: FileTailerOptions) {
    this.options = options;
    this.positioned = new Promise((resolve) => (this.markPositioned = resolve));
    this.clock = options.clock ?? systemClock;
    this.source = options.source;
    this.file = options.path;
    this.path = resolve(options.path);
    this.settings = {
      startAt: options.startAt ?? TAILER_DEFAULTS.startAt,
      maxLineBytes: options.maxLineBytes ?? TAILER_DEFAULTS.maxLineBytes,
      pollIntervalMs: options.pollIntervalMs ?? TAILER_DEFAULTS.pollIntervalMs,
      watchedPollIntervalMs: Math.max(
        options.watchedPollIntervalMs ?? TAILER_DEFAULTS.watchedPollIntervalMs,
        options.pollIntervalMs ?? TAILER_DEFAULTS.pollIntervalMs,
      ),
      rotateGraceMs: options.rotateGraceMs ?? TAILER_DEFAULTS.rotateGraceMs,
    };
    this.buffer = Buffer.allocUnsafe(options.readChunkBytes ?? TAILER_DEFAULTS.readChunkBytes);
    this.sink = (text, offset, endOffset, truncatedBytes) => {
      const line: SourceLine = {
        source: this.source,
        file: this.file,
        text,
        offset,
        endOffset,
        fileId: this.batchFileId,
        readAtMs: this.batchReadAtMs,
      };
      if (truncatedBytes > 0) {
        line.truncatedBytes = truncatedBytes;
        this.counters.truncatedLines++;
        this.emitEvent("line_truncated", `line at offset ${offset} of ${this.batchFileId} cut: ${truncatedBytes} bytes dropped`);
      }
      this.batch.push(line);
    };
  }

  /** Opens the file (resuming from its checkpoint), reads what is due, then keeps following it. */
  async start(): Promise<void> {
    if (this.phase !== "new") throw new Error(`tailer of ${this.path} already started`);
    this.phase = "running";
    // Stays registered after stop: the engine saves once more after flushing what the last lines produced.
    this.options.checkpoints.track(this.path, () => this.getCheckpoint());
    if (this.options.watch !== false) {
      this.ownsWatcher = !this.options.watcher;
      this.watcher =
        this.options.watcher ?? new PathWatcher({ onError: (error) => this.emitEvent("error", `watcher: ${error.message}`) });
      this.unwatch = this.watcher.watch(this.path, () => {
        this.woken = true;
        void this.poke();
      });
    }
    await this.runCycles().finally(() => this.markPositioned());
    if (this.phase !== "running") return; // stopped while starting
    this.schedulePoll();
  }

  /**
   * Fast without a watcher; while a rotated file drains (it may have left the folder); while the path is missing
   * or unreadable (a folder created with the file in it is watched only after its creation event, and a chmod of
   * a parent folder is not an event here); for a while after the watcher missed a change of this file.
   */
  private needsFastPoll(): boolean {
    return !this.watcher || this.draining.length > 0 || this.pathProblem !== null || this.clock.now() < this.fastPollUntilMs;
  }

  /** After a check that started draining a rotated file (or found a missed event): the slow poll becomes a fast one now. */
  private hastenPoll(): void {
    if (!this.timer || this.timerIsFast || !this.needsFastPoll()) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.schedulePoll();
  }

  /** Whether a file with this `dev:ino` is or was read by this tailer (or was a sibling already there). */
  knowsFile(fileId: string): boolean {
    return this.knownFileIds.has(fileId) || this.isOpen(fileId);
  }

  /** Schedules the next stat check, fast or slow. */
  private schedulePoll(): void {
    if (this.phase !== "running") return;
    this.timerIsFast = this.needsFastPoll();
    // Slow checks land on whole seconds: the checks of 1 000 idle files run as a few bursts a second, not 100
    // separate wake-ups of the event loop and the thread pool.
    const delayMs = this.timerIsFast
      ? this.settings.pollIntervalMs
      : this.settings.watchedPollIntervalMs + 1000 - ((this.clock.now() + this.settings.watchedPollIntervalMs) % 1000);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.poke().finally(() => {
        if (!this.timer) this.schedulePoll();
      });
    }, delayMs);
  }

  /**
   * Ends the read under way after its current chunk, and every read after it until the stop: a stop requested while
   * a backlog is read (the first read of `start`) need not wait for the backlog's end.
   */
  interrupt(): void {
    if (this.phase === "new" || this.phase === "running") this.interrupted = true;
  }

  /** Reads what is there now, then stops; an unfinished last line stays unread (the checkpoint is before it). */
  stop(): Promise<void> {
    if (this.phase === "new") this.phase = "stopped";
    this.stopping ??= this.phase === "running" ? this.stopRunning() : Promise.resolve();
    return this.stopping;
  }

  private async stopRunning(): Promise<void> {
    this.phase = "stopping";
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.unwatch?.();
    if (this.ownsWatcher) await this.watcher?.close();
    // A read under way (a backlog's, minutes long) ends after its chunk; when it left bytes unread, the stop reads
    // nothing more: they stay behind the checkpoint and the next start reads them. Otherwise what is there now is read.
    this.interrupted = true;
    await this.running?.catch(() => undefined);
    const readNow = !this.leftUnread;
    this.interrupted = false;
    await this.options.budget?.enter(this);
    try {
      if (readNow) await this.cycle();
      for (const file of this.getOpenFiles()) await file.close({ pendingOffset: this.getPendingOffset(file.fileId) });
    } finally {
      this.options.budget?.forget(this);
      this.options.budget?.leave(this, 0);
    }
    this.phase = "stopped";
  }

  /**
   * Asks for a check now (the watcher calls it); checks requested during a check are coalesced into one more.
   * Resolves when that check is done.
   */
  poke(): Promise<void> {
    if (this.phase !== "running") return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    return this.runCycles();
  }

  /** Closes the file at the path while idle, when the budget needs room (never a rotated file still drained). */
  parkIdleFile(): number {
    const current = this.current;
    if (this.phase !== "running" || this.running || !current?.handle) return 0;
    current.park(this.getPendingOffset(current.fileId));
    return 1;
  }

  private countHeldFiles(): number {
    return this.getOpenFiles().filter((file) => file.handle !== null).length;
  }

  getStats(): TailerStats {
    const current = this.current;
    return {
      source: this.source,
      path: this.path,
      exists: current !== null,
      fileId: current?.fileId ?? null,
      offset: current?.processedOffset ?? 0,
      size: current?.lastSize ?? 0,
      lagBytes: current ? Math.max(0, current.lastSize - current.readOffset) : 0,
      lastLineAtMs: this.counters.lastLineAtMs,
      linesRead: this.counters.linesRead,
      bytesRead: this.counters.bytesRead,
      rotations: this.counters.rotations,
      truncations: this.counters.truncations,
      truncatedLines: this.counters.truncatedLines,
      drainingFiles: this.draining.length,
    };
  }

  private runCycles(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.options.budget?.enter(this);
      try {
        do {
          this.again = false;
          await this.cycle();
        } while (this.again && this.phase === "running");
      } finally {
        this.options.budget?.leave(this, this.countHeldFiles());
        // Cleared in the same turn as the last `again` check: a poke right after starts a new run.
        this.running = null;
        this.hastenPoll();
      }
    };
    this.running = run();
    return this.running;
  }

  /** One check: path identity and content first, then every file read to its end, rotated ones first. */
  private async cycle(): Promise<void> {
    const changesBefore = this.countChanges();
    try {
      this.currentUnchanged = false;
      if (this.firstLook) await this.lookFirst().finally(() => this.markPositioned());
      else await this.checkPath();
      for (const file of [...this.draining]) await this.readAvailable(file);
      if (this.current && !this.currentUnchanged) await this.readAvailable(this.current);
      await this.closeExpiredFiles(this.clock.now());
    } catch (error) {
      this.emitEvent("error", describeError(error));
    }
    // A change the watcher did not announce: its events do not reach us for this file; poll it fast for a while.
    if (this.watcher && !this.woken && this.countChanges() !== changesBefore) {
      this.fastPollUntilMs = this.clock.now() + TAILER_DEFAULTS.watchMissedFastPollMs;
      this.watcher.rewatchIfReplaced(this.path);
    }
    this.woken = false;
  }

  private countChanges(): number {
    return this.counters.bytesRead + this.counters.rotations + this.counters.truncations;
  }

  /** First sight: resume from the checkpoint, or start at the end (or beginning) of what is there. */
  private async lookFirst(): Promise<void> {
    const checkpoint = this.options.checkpoints.get(this.path);
    const pathStat = await this.statPath();
    this.firstLook = false;
    if (checkpoint) {
      await this.resume(checkpoint, pathStat);
      return;
    }
    if (!pathStat.stat) {
      this.notePathProblem(pathStat.code);
      return;
    }
    const opened = await this.openAtPath();
    if (!opened) return;
    const offset = this.settings.startAt === "beginning" ? 0 : await findLastLineStart(opened.file, opened.size);
    await opened.file.restartAt(offset);
    await this.adopt(opened.file, offset === 0 ? "from the beginning" : `from offset ${offset} (end at first sight)`);
  }

  /**
   * Resumes after a restart. Each checkpointed file is looked for at the path and among its rotated siblings (by
   * inode and content): the one still at the path is resumed, the others (rotated or copytruncated while vigia
   * was stopped) are finished from their offsets; a file at the path that is not checkpointed is read from 0.
   */
  private async resume(checkpoint: PathCheckpoint, pathStat: PathStat): Promise<void> {
    let resumed: FollowedFile | null = null;
    for (const saved of checkpoint.files) {
      const located = await locateCheckpointedFile(this.path, saved);
      if (!located) {
        this.emitEvent("missing", `checkpointed file ${saved.dev}:${saved.ino} (offset ${saved.offset}) is gone: lines written after the checkpoint may be lost`);
        continue;
      }
      const file = await FollowedFile.fromHandle(located.handle, located.stat, located.path, this.settings.maxLineBytes, saved.offset);
      if (this.isOpen(file.fileId)) {
        await file.close();
        continue;
      }
      this.hadFile = true;
      this.knownFileIds.add(file.fileId);
      const atPath = located.path === this.path && pathStat.stat !== undefined && file.isSameInode(pathStat.stat);
      if (atPath && !resumed) {
        resumed = file;
        this.emitEvent("resumed", `${file.fileId} from offset ${saved.offset}`);
      } else {
        this.retire(file, `${located.path} was rotated or truncated while stopped: finishing it from offset ${saved.offset}`);
      }
    }
    if (resumed) {
      this.current = resumed;
      await this.rememberSiblings();
      return;
    }
    if (!pathStat.stat) {
      this.notePathProblem(pathStat.code);
      return;
    }
    await this.openNewFile("from the beginning (new since the checkpoint)");
  }

  /** The regular check: has the path a new file, no file, or the same file with new or replaced content? */
  private async checkPath(): Promise<void> {
    const pathStat = await this.statPath();
    let current = this.current;
    const changed = current && pathStat.stat && current.isSameInode(pathStat.stat) ? current.hasChanged(pathStat.stat) : true;
    if (current?.parked) {
      if (!changed) {
        this.currentUnchanged = true;
        return;
      }
      current = await this.reopenParked(current);
    }
    if (!pathStat.stat) {
      if (current && (pathStat.code === "ENOENT" || pathStat.code === "ENOTDIR")) {
        this.current = null;
        this.retire(current, `${this.path} disappeared`);
      }
      // EACCES on the path: the open handle still reads, nothing to do.
      if (!current || pathStat.code === "ENOENT" || pathStat.code === "ENOTDIR") this.notePathProblem(pathStat.code);
      return;
    }
    if (current?.isSameInode(pathStat.stat)) {
      if (!changed) {
        this.currentUnchanged = true;
      } else if (!(await current.isIntact(Number(pathStat.stat.size)))) {
        await this.handleTruncation(current);
      } else if (current.readOffset === 0) {
        // Nothing of its content read yet, so nothing to compare: it may have been copied and truncated since.
        await this.readMissedCopies(current, null);
      }
      return;
    }
    if (current) {
      this.current = null;
      this.retire(current, `${this.path} now is ${formatFileId(pathStat.stat)}`);
    }
    const renamedBack = this.draining.find((file) => file.isSameInode(pathStat.stat));
    if (renamedBack) {
      this.draining = this.draining.filter((file) => file !== renamedBack);
      renamedBack.rotated = false;
      renamedBack.graceDeadlineMs = Number.POSITIVE_INFINITY;
      this.current = renamedBack;
      return;
    }
    await this.openNewFile("from the beginning (new file)");
  }

  /**
   * Reopens the file closed while idle, now that its path changed. Gone for good (deleted while closed, or moved
   * out of the folder), it is finished as it is: its unfinished line is emitted, and what was written to it after
   * it was closed is lost (the price of closing idle files; none are closed while they fit in the budget).
   */
  private async reopenParked(file: FollowedFile): Promise<FollowedFile | null> {
    if (await file.reopen(this.path)) return file;
    this.current = null;
    this.knownFileIds.add(file.fileId);
    this.flushHeldLine(file);
    this.counters.rotations++;
    this.emitEvent("missing", `${file.fileId}, closed while idle, is gone from ${this.path} and its rotated siblings: lines written to it after offset ${file.readOffset}, if any, are lost`);
    return null;
  }

  /** Opens a file that appeared at the path after the first look: always from its beginning. */
  private async openNewFile(how: string): Promise<void> {
    const opened = await this.openAtPath();
    if (!opened) return;
    if (this.hadFile) await this.adoptSkippedRotations(opened.file);
    await this.adopt(opened.file, how);
  }

  /**
   * Two rotations between two checks leave a file we never saw at the path (`bot.log.1` between our old file and
   * the new `bot.log`). It is a sibling whose inode we have not met and whose content is not a copy of ours:
   * read it whole, before the new file.
   */
  private async adoptSkippedRotations(newFile: FollowedFile): Promise<void> {
    const skipped: Array<{ file: FollowedFile; mtimeNs: bigint }> = [];
    for (const sibling of await listRotatedSiblings(this.path)) {
      const st = await stat(sibling, { bigint: true }).catch(() => null);
      if (!st || !st.isFile()) continue;
      const fileId = formatFileId(st);
      if (fileId === newFile.fileId || this.knownFileIds.has(fileId)) continue;
      this.knownFileIds.add(fileId);
      const opened = await FollowedFile.open(sibling, this.settings.maxLineBytes).catch(() => null);
      if (!opened) continue;
      const isCopy = this.getOpenFiles().some((file) => isSameFingerprint(file.fingerprint, opened.file.fingerprint));
      if (isCopy || opened.file.fileId !== fileId) {
        await opened.file.close();
        continue;
      }
      skipped.push({ file: opened.file, mtimeNs: st.mtimeNs });
    }
    skipped.sort((a, b) => (a.mtimeNs < b.mtimeNs ? -1 : a.mtimeNs > b.mtimeNs ? 1 : 0));
    for (const { file } of skipped) this.retire(file, `${file.openedPath} was rotated in and out between two checks: reading it whole`);
  }

  /**
   * The file's content was replaced in place. With copytruncate, what was written between our last read and the
   * truncation is only in the copy (`bot.log.1`, or further on if logrotate ran again before this check): it is
   * read from there first, and so is each later copy of content never seen (see readMissedCopies). An unfinished
   * line is emitted as it is; then the file is read again from 0 (NUL padding skipped).
   */
  private async handleTruncation(file: FollowedFile): Promise<void> {
    this.counters.truncations++;
    const oldOffset = file.readOffset;
    const ours =
      oldOffset > 0 ? { fingerprint: file.fingerprint, offset: oldOffset, tail: file.tail, splitter: file.splitter } : null;
    const recovered = await this.readMissedCopies(file, ours);
    this.flushHeldLine(file);
    this.emitEvent("truncated", `content of ${file.fileId} replaced (had read ${oldOffset} bytes)${recovered}; reading it from 0`);
    await file.restartAt(0);
  }

  /**
   * Reads from the rotated siblings (plain or gzip) what the content at the path held and this tailer has not
   * read. First the copy of the content it was reading (`ours`: first bytes, and the marker before the offset it
   * stopped at), from that offset on, continuing its unfinished line. Then, oldest first, each copy of content it
   * never saw: copied and truncated again before this check (a second logrotate run while the tailer was held
   * up, or one before anything of it was read). A copy of what the path holds now is left to be read there;
   * copies of contents read before, or there before, are not news. Says what it read, for the event.
   */
  private async readMissedCopies(
    live: FollowedFile,
    ours: { fingerprint: Buffer; offset: number; tail: Buffer; splitter: LineSplitter } | null,
  ): Promise<string> {
    const liveHead = live.handle ? await readBytesAt(live.handle, 0, FINGERPRINT_BYTES) : Buffer.alloc(0);
    // Copies known at the last look (renamed on since, maybe) are neither the copy of what was being read nor news:
    // they are not opened (52 gzipped weeks beside the log are not decompressed at each truncation).
    const opened = await openRotatedCopies(this.path, (st) => this.knownCopies.has(copyKey(st)));
    // Plain copies first: while logrotate compresses one, both names exist and the plain one is complete.
    const copies = opened.copies.sort((a, b) => Number(a.compressed) - Number(b.compressed));
    const notes: string[] = [];
    try {
      const heads = new Map<RotatedCopy, Buffer>();
      for (const copy of copies) heads.set(copy, await copy.readHead());
      let found: RotatedCopy | null = null;
      if (ours) {
        for (const copy of copies) {
          const head = heads.get(copy)!;
          if (copy.fileId === live.fileId || !startAlike(head, ours.fingerprint)) continue;
          const chunks = await copy.readFrom(ours.offset, this.buffer, digestBytes(ours.tail)).catch(() => null);
          if (chunks) {
            found = copy;
            notes.push(`read ${await this.readCopy(copy, ours.splitter, chunks)} more bytes from its copy ${copy.path}`);
            break;
          }
          if (await copy.endsWithin(ours).catch(() => false)) {
            found = copy;
            notes.push(`its copy ${copy.path} ends before offset ${ours.offset}: written after logrotate copied, read before it truncated`);
            break;
          }
        }
        if (found) this.noteKnownContent(ours.fingerprint);
        else notes.push(`no copy of it holds what followed offset ${ours.offset} (none made, deleted, or compressed other than with gzip)`);
      }
      const unseen: RotatedCopy[] = [];
      const known = new Set(opened.known.map(copyKey));
      for (const copy of copies) {
        const head = heads.get(copy)!;
        // The content at the path now, being copied or copied and not truncated yet, is read at the path; a gzip
        // file still being written has no head yet.
        if (head.length === 0 || (copy !== found && startAlike(head, liveHead))) continue;
        known.add(copyKey(copy.stat));
        if (copy === found) continue;
        this.knownFileIds.add(copy.fileId);
        if (this.isKnownContent(head) || unseen.some((other) => startAlike(heads.get(other)!, head))) continue;
        unseen.push(copy);
      }
      this.knownCopies = known;
      // Oldest first; logrotate's higher numbers are older when the times are alike.
      unseen.sort((a, b) => (a.stat.mtimeNs !== b.stat.mtimeNs ? (a.stat.mtimeNs < b.stat.mtimeNs ? -1 : 1) : b.path.localeCompare(a.path)));
      for (const copy of unseen) {
        const chunks = await copy.readFrom(0, this.buffer).catch(() => null);
        if (!chunks) continue;
        this.counters.truncations++;
        const bytes = await this.readCopy(copy, new LineSplitter(this.settings.maxLineBytes, 0), chunks);
        this.noteKnownContent(heads.get(copy)!);
        notes.push(`read ${copy.path} whole (${bytes} bytes): copied and truncated before this check`);
      }
      if (found) this.knownFileIds.add(found.fileId);
    } finally {
      for (const copy of copies) await copy.close();
    }
    if (!ours && notes.length > 0) this.emitEvent("truncated", `content of ${live.fileId} replaced before it was read; ${notes.join("; ")}`);
    return notes.length > 0 ? `; ${notes.join("; ")}` : "";
  }

  /** Hands a rotated copy's content to `splitter`, chunk by chunk, then its unfinished line; returns the bytes read. */
  private async readCopy(copy: RotatedCopy, splitter: LineSplitter, chunks: AsyncGenerator<Buffer>): Promise<number> {
    let bytes = 0;
    try {
      for await (const chunk of chunks) {
        if (this.options.waitForCapacity) await this.options.waitForCapacity();
        this.pushBytes(copy.fileId, splitter, chunk);
        bytes += chunk.length;
      }
    } catch (error) {
      this.emitEvent("error", `reading ${copy.path} stopped after ${bytes} bytes: ${describeError(error)}`);
    }
    this.flushHeldLine({ fileId: copy.fileId, splitter });
    return bytes;
  }

  private noteKnownContent(head: Buffer): void {
    if (head.length === 0 || this.isKnownContent(head)) return;
    this.knownContent.push(Buffer.from(head));
    if (this.knownContent.length > KNOWN_CONTENT_KEPT) this.knownContent.shift();
  }

  private isKnownContent(head: Buffer): boolean {
    return this.knownContent.some((known) => startAlike(known, head)) || this.draining.some((file) => startAlike(file.fingerprint, head));
  }

  /** Moves a file that left the path to the draining list: still read until its grace period ends. */
  private retire(file: FollowedFile, reason: string): void {
    file.rotated = true;
    file.graceDeadlineMs = this.clock.now() + this.settings.rotateGraceMs;
    this.draining.push(file);
    this.knownFileIds.add(file.fileId);
    this.counters.rotations++;
    this.emitEvent("rotated", `${reason}; reading ${file.fileId} for ${this.settings.rotateGraceMs} ms more`);
  }

  private async closeExpiredFiles(nowMs: number): Promise<void> {
    const expired = this.draining.filter((file) => nowMs >= file.graceDeadlineMs);
    if (expired.length === 0) return;
    this.draining = this.draining.filter((file) => nowMs < file.graceDeadlineMs);
    for (const file of expired) {
      this.noteKnownContent(file.fingerprint);
      this.flushHeldLine(file);
      await file.close();
      this.emitEvent("closed", `${file.fileId} (rotated) finished at offset ${file.readOffset}`);
    }
  }

  private async adopt(file: FollowedFile, how: string): Promise<void> {
    this.current = file;
    this.hadFile = true;
    this.pathProblem = null;
    this.knownFileIds.add(file.fileId);
    this.emitEvent("opened", `${file.fileId} ${how}`);
    await this.rememberSiblings();
  }

  /**
   * Every sibling there now is not news later: only files rotated in after this moment are. Compressed ones too,
   * and the content of plain ones, which a later `delaycompress` turns into a new inode.
   */
  private async rememberSiblings(): Promise<void> {
    for (const sibling of await listRotatedSiblings(this.path, { compressed: true })) {
      const st = await stat(sibling, { bigint: true }).catch(() => null);
      if (!st) continue;
      this.knownFileIds.add(formatFileId(st));
      this.knownCopies.add(copyKey(st));
      if (isCompressedName(sibling) || !st.isFile()) continue;
      const copy = await RotatedCopy.open(sibling);
      if (copy?.fileId === formatFileId(st)) this.noteKnownContent(await copy.readHead());
      await copy?.close();
    }
  }

  /** Reads the file from its read offset to its current end, one chunk and one batch at a time. */
  private async readAvailable(file: FollowedFile): Promise<void> {
    for (;;) {
      const handle: FileHandle | null = file.handle;
      if (!handle) return;
      if (this.options.waitForCapacity) await this.options.waitForCapacity();
      if (file.handle !== handle) return;
      if (this.interrupted) {
        this.leftUnread = true;
        return;
      }
      const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, file.readOffset);
      if (bytesRead === 0) return;
      this.pushBytes(file.fileId, file.splitter, this.buffer.subarray(0, bytesRead));
      file.noteRead(this.buffer, bytesRead);
      // A short read is the end of the file for now: no need for one more read to see 0 bytes.
      if (bytesRead < this.buffer.length) return;
    }
  }

  /** Hands bytes that continue `splitter`'s stream to it, and the lines they complete to onLines. */
  private pushBytes(fileId: string, splitter: LineSplitter, bytes: Buffer): void {
    this.batch = [];
    this.batchFileId = fileId;
    this.batchReadAtMs = this.clock.now();
    splitter.push(bytes, 0, bytes.length, this.sink);
    this.counters.bytesRead += bytes.length;
    this.deliverBatch();
  }

  /** Emits the unfinished line of a file that will never complete it. */
  private flushHeldLine(file: { fileId: string; splitter: LineSplitter }): void {
    this.batch = [];
    this.batchFileId = file.fileId;
    this.batchReadAtMs = this.clock.now();
    file.splitter.flush(this.sink);
    this.deliverBatch();
  }

  private deliverBatch(): void {
    const lines = this.batch;
    if (lines.length === 0) return;
    this.batch = [];
    this.counters.linesRead += lines.length;
    this.counters.lastLineAtMs = this.batchReadAtMs;
    try {
      this.options.onLines(lines);
    } catch (error) {
      this.emitEvent("error", `onLines threw: ${describeError(error)}`);
    }
  }

  private async openAtPath(): Promise<{ file: FollowedFile; size: number } | null> {
    try {
      return await FollowedFile.open(this.path, this.settings.maxLineBytes);
    } catch (error) {
      const code = error instanceof NotARegularFileError ? error.code : (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") this.notePathProblem(code);
      else this.notePathProblem(code ?? "error", describeError(error));
      return null;
    }
  }

  private async statPath(): Promise<PathStat> {
    try {
      return { stat: await stat(this.path, { bigint: true }) };
    } catch (error) {
      return { code: (error as NodeJS.ErrnoException).code ?? "EUNKNOWN" };
    }
  }

  /** Reports a missing or unreadable path once per episode; while missing, the watcher looks for its folder. */
  private notePathProblem(code: string, detail?: string): void {
    const missing = code === "ENOENT" || code === "ENOTDIR";
    if (missing) this.watcher?.refresh();
    const kind = missing ? "missing" : "unreadable";
    if (this.pathProblem === kind) return;
    this.pathProblem = kind;
    this.emitEvent(kind, detail ?? (missing ? `${this.path} does not exist (yet)` : `${this.path}: ${code}`));
  }

  /** The checkpoint of every open file; the same object while none moved, so an idle save writes nothing. */
  private getCheckpoint(): PathCheckpoint | undefined {
    const files: FileCheckpoint[] = [];
    for (const file of this.getOpenFiles()) {
      const checkpoint = file.snapshot(this.getPendingOffset(file.fileId));
      if (!checkpoint) return undefined;
      files.push(checkpoint);
    }
    const last = this.lastCheckpoint;
    if (last && last.files.length === files.length && last.files.every((file, i) => file === files[i])) return last;
    this.lastCheckpoint = { updatedAtMs: this.clock.now(), files };
    return this.lastCheckpoint;
  }

  /** Rotated files first, then the file at the path: the order lines come in. */
  private getOpenFiles(): FollowedFile[] {
    return this.current ? [...this.draining, this.current] : [...this.draining];
  }

  private isOpen(fileId: string): boolean {
    return this.getOpenFiles().some((file) => file.fileId === fileId);
  }

  private getPendingOffset(fileId: string): number | undefined {
    return this.options.getPendingOffset?.(fileId);
  }

  private emitEvent(type: TailerEventType, detail?: string): void {
    try {
      this.options.onEvent?.({ type, source: this.source, path: this.path, detail });
    } catch {
      /* a failing event listener must not stop the tailer */
    }
  }
}

/**
 * A rotated sibling as it is now: a copy made later into a reused inode differs in its size or mtime. Not its
 * ctime: logrotate's renames (`.7.gz` → `.8.gz`) change it, and each one would make a known copy news.
 */
function copyKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** Where "the end" of a file is at first sight: after its last newline, so the first line emitted is whole. */
async function findLastLineStart(file: FollowedFile, size: number): Promise<number> {
  if (!file.handle || size === 0) return size;
  const window = Math.min(size, LAST_LINE_SEARCH_BYTES);
  const tail = await readBytesAt(file.handle, size - window, window);
  const newline = tail.lastIndexOf(0x0a);
  if (newline >= 0) return size - window + newline + 1;
  return window === size ? 0 : size;
}

/**
 * Whether two files start with the same FINGERPRINT_BYTES bytes (a copy). Shorter fingerprints are not compared:
 * two small files sharing a first line are different files, and reading one twice beats losing one.
 */
function isSameFingerprint(a: Buffer, b: Buffer): boolean {
  return a.length === FINGERPRINT_BYTES && b.length === FINGERPRINT_BYTES && a.equals(b);
}
