import { readdir, stat, unlink } from "node:fs/promises";
import { unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Observable, Subscription } from "rxjs";
import type { Estado, Incident } from "../types.js";
import { writeFileAtomic, writeFileAtomicSync } from "../util/atomic-write.js";
import { LiveJournalFile } from "./live-journal-file.js";
import { appendToArchive, parseArchiveTempName } from "./archive-append.js";
import { formatArchivePath, listArchiveFiles, readCloseMonth } from "./archive-files.js";
import { getIntentPath, readInterruptedArchive, removeIntent, writeIntent } from "./archive-intent.js";
import { selectArchivable, type ArchivePolicy } from "./archive-select.js";
import { isTerminal } from "./incident-state.js";
import type { IncidentChange } from "./incident-change.js";
import { loadJournal, type LoadedJournal } from "./load-journal.js";
import { describeError } from "../util/describe-error.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "../util/clock.js";

/**
 * After a write, the next one for non-final changes waits this many times as long as that write took: writing takes
 * at most about half the time however fast changes come (a catch-up), while a change alone is written at once.
 */
const GAP_PER_WRITE_DURATION = 1;
/** How often closed incidents are checked for their age (they also are at start and when the file is too big). */
const ARCHIVE_AGE_CHECK_EVERY_MS = 10 * 60_000;
/** After a size check found nothing it may move (everything still tracked), the next one waits this long. */
const ARCHIVE_SIZE_RETRY_MS = 10_000;
/** An archive part past this size is left as it is and the month continues in the next part (`…-2025-12.2.json`). */
const MAX_ARCHIVE_PART_BYTES = 64 * 1024 * 1024;
/** A settled beginning smaller than this is not prepared ahead: writing it whole costs about as much. */
const MIN_PREPARED_BYTES = 64 * 1024;
/** An element that did not change for this long is expected not to change before the next write. */
const SETTLED_AFTER_MS = 30_000;

/** What archiving did, for the log. */
export type ArchiveEvent =
  | { kind: "archiving"; count: number; files: string[]; message: string }
  | { kind: "archived"; count: number; files: string[]; message: string }
  | { kind: "recovered"; dropped: number; files: string[]; message: string }
  | { kind: "archive_failed"; error: unknown; message: string };

export interface JournalWriterOptions {
  /**
   * Least time from the end of a write to the start of the next one for non-final changes (an opening, a fold).
   * Default 0: a change is written as soon as no write is under way; changes that arrive during a write share the
   * next one, which waits as long as the last write took (GAP_PER_WRITE_DURATION), so writing never takes more than
   * about half the time. Final transitions are written as soon as the previous write ends.
   */
  minIntervalMs?: number;
  /**
   * Time (write durations, the archive policy's ages) and the timers of the waits between writes and of the archive
   * checks; default systemClock.
   */
  clock?: Clock;
  /** 2-space indented JSON (default), which operators read; false for one line. */
  pretty?: boolean;
  /** An unusable journal was moved aside at load. */
  onWarning?: (warning: { kind: "journal_moved_aside"; path: string; movedTo: string; message: string }) => void;
  /** A background write failed; it is retried with a growing delay (up to 30 s). */
  onError?: (error: unknown) => void;
  /** A write succeeded after one or more failures. */
  onRecovered?: () => void;
  /** Every write attempt, as it ends (metrics); must not throw. */
  onWrite?: (write: { ok: boolean; durationMs: number }) => void;
  /** Move old closed incidents to monthly archives beside the journal; null (default) keeps everything live. */
  archive?: ArchivePolicy | null;
  /** Whether the incident manager still tracks an id (open, or closed in its cooldown): such incidents stay live. */
  isHeld?: (id: string) => boolean;
  onArchive?: (event: ArchiveEvent) => void;
  /**
   * A pause after each step of an archive move (intent, each archive file), so crash tests can kill vigia inside
   * every step. Default: `VIGIA_ARCHIVE_STEP_DELAY_MS` from the environment, else 0.
   */
  archiveStepDelayMs?: number;
}

/** Whether the file on disk is behind, for /health and for the last words of a failed stop. */
export interface JournalBacklog {
  /** Incidents changed since the last successful write (not on disk, or on disk in an older state). */
  unwritten: number;
  /** When writes started failing (ms since epoch), null while they succeed. */
  failingSinceMs: number | null;
  lastError: string | null;
  /** Incident changes taken in this session (`upsert` calls), and how many of them a successful write has put on disk. */
  changes: number;
  changesWritten: number;
}

/** Counters for metrics and tests. */
export interface JournalWriterStats {
  writes: number;
  lastWriteMs: number;
  lastBytes: number;
  elements: number;
  /** Incidents moved to the archives since start. */
  archived: number;
}

/**
 * Keeps `logs/descarga_errors.json` in step with the incidents: an array ordered by detection time, replaced
 * atomically (temp + fsync + rename) so it is valid JSON at every instant. Elements already in the journal —
 * from earlier runs or from the seed system — are kept as they are; each element's JSON is cached as UTF-8 bytes,
 * so a write hands the file the cached bytes as they are (no join, no encoding) and serialises only what changed.
 * After each write the settled beginning of the next version is written and synced ahead (LiveJournalFile), so a
 * change waits only for its own bytes to be written and synced, then the rename.
 *
 * With an archive policy the file stays small: before a write, closed incidents older than the policy's age (or
 * the oldest ones, when the file is over its size) move to `<journal>-YYYY-MM.json` by the month they closed —
 * appended to the archive first, removed from the live file after (see archive-intent.ts for why a kill at any
 * instant loses nothing and duplicates nothing past the next start).
 */
export class JournalWriter {
  private readonly minIntervalMs: number;
  private readonly pretty: boolean;
  private readonly onWarning: JournalWriterOptions["onWarning"];
  private readonly onError: JournalWriterOptions["onError"];
  private readonly onRecovered: JournalWriterOptions["onRecovered"];
  private readonly onWrite: JournalWriterOptions["onWrite"];
  private readonly archivePolicy: ArchivePolicy | null;
  private readonly isHeld: (id: string) => boolean;
  private readonly onArchive: JournalWriterOptions["onArchive"];
  private readonly archiveStepDelayMs: number;
  private readonly clock: Clock;
  private readonly now: () => number;
  private nextAgeCheckMs = 0;
  private nextSizeCheckMs = 0;
  /** An intent file is on disk: removed once the live file no longer holds what it names. */
  private intentPending = false;
  private archiveTimer: TimerHandle | null = null;

  private elements: unknown[] = [];
  /** Each element as it appears in the file (indented when pretty), UTF-8; null until the next write encodes it. */
  private encoded: (Buffer | null)[] = [];
  private detectedMs: number[] = [];
  /** When each element last changed in this run (-Infinity for loaded ones): recent changes are likely to recur. */
  private changedMs: number[] = [];
  private readonly indexById = new Map<string, number>();

  private dirty = false;
  private urgent = false;
  private timer: TimerHandle | null = null;
  /** A write is about to start (in a microtask: the changes of the current turn share it). */
  private startQueued = false;
  private inFlight: Promise<void> | null = null;
  /** A sync write happened while an async one was in flight: its rename may land later with older content. */
  private overtaken = false;
  private lastWriteEndMs = 0;
  private lastWriteDurationMs = 0;
  private consecutiveFailures = 0;
  private failingSinceMs: number | null = null;
  private lastError: string | null = null;
  /** Ids changed since the content of the last successful write was taken. */
  private unwrittenIds = new Set<string>();
  private changes = 0;
  private changesWritten = 0;
  private closed = false;
  private readonly file: LiveJournalFile;
  private readonly stats: JournalWriterStats = { writes: 0, lastWriteMs: 0, lastBytes: 0, elements: 0, archived: 0 };

  constructor(
    readonly path: string,
    options: JournalWriterOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.pretty = options.pretty ?? true;
    this.onWarning = options.onWarning;
    this.onError = options.onError;
    this.onRecovered = options.onRecovered;
    this.onWrite = options.onWrite;
    this.archivePolicy = options.archive ?? null;
    this.isHeld = options.isHeld ?? (() => false);
    this.onArchive = options.onArchive;
    this.archiveStepDelayMs = options.archiveStepDelayMs ?? (Number(process.env["VIGIA_ARCHIVE_STEP_DELAY_MS"]) || 0);
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.now = () => clock.now();
    this.file = new LiveJournalFile(path, this.now);
  }

  /**
   * Loads the existing journal, to be appended to; returns its elements (feed them to `IncidentManager.seed`).
   * An unusable journal is moved aside with a warning and vigia starts a new one.
   */
  async load(): Promise<LoadedJournal> {
    await removeStaleTempFiles(this.path);
    const loaded = await loadJournal(this.path, { clock: this.clock });
    if (loaded.movedAsideTo && loaded.problem) {
      this.onWarning?.({
        kind: "journal_moved_aside",
        path: this.path,
        movedTo: loaded.movedAsideTo,
        message: `journal ${this.path} unusable (${loaded.problem.message}); moved to ${loaded.movedAsideTo}`,
      });
    }
    this.elements = [...loaded.elements];
    this.encoded = this.elements.map(() => null);
    this.detectedMs = this.elements.map((el) => parseDetectedMs(el));
    this.changedMs = this.elements.map(() => -Infinity);
    this.rebuildIndex(0);
    this.stats.elements = this.elements.length;
    const dropped = await this.finishInterruptedArchive();
    await this.file.hold();
    // Every loaded element is serialised now, during start, not by the first write while lines already flow (a
    // journal of megabytes takes the main thread for a few hundred milliseconds).
    this.fillEncoded();
    if (dropped === 0) return loaded;
    return { ...loaded, elements: this.elements as Record<string, unknown>[] };
  }

  /**
   * An earlier run was killed in the middle of a move: live copies of incidents that reached their archive are
   * dropped (the archive wins, see archive-intent.ts) and the live file rewritten; then the intent goes.
   */
  private async finishInterruptedArchive(): Promise<number> {
    const recovery = await readInterruptedArchive(this.path);
    if (recovery === null) return 0;
    const before = this.elements.length;
    if (recovery.archivedIds.size > 0) {
      this.removeWhere((el) => typeof (el as { id?: unknown }).id === "string" && recovery.archivedIds.has((el as { id: string }).id));
    }
    const dropped = before - this.elements.length;
    if (dropped > 0) await writeFileAtomic(this.path, this.snapshotChunks().chunks);
    await removeIntent(this.path);
    const names = recovery.files.map((f) => basename(f));
    this.onArchive?.({
      kind: "recovered",
      dropped,
      files: recovery.files,
      message: `finished an archive move interrupted by the last stop: ${dropped} incident(s) already in ${names.join(", ") || "no archive"} dropped from the live journal`,
    });
    return dropped;
  }

  /** Adds or replaces an incident (by id). Final states are written promptly, the rest coalesced. */
  upsert(incident: Incident, urgent = isTerminal(incident.estado)): void {
    const index = this.indexById.get(incident.id);
    if (index !== undefined) {
      this.elements[index] = incident;
      this.encoded[index] = null;
      this.changedMs[index] = this.now();
    } else {
      this.insertByDetectionTime(incident);
    }
    this.dirty = true;
    this.unwrittenIds.add(incident.id);
    this.changes++;
    if (urgent) this.urgent = true;
    this.schedule();
  }

  /**
   * Mirrors the manager's changes into the journal. With an archive policy, the first check of old incidents runs
   * shortly after (once the manager is seeded and knows what it still tracks), then every ten minutes.
   */
  follow(changes$: Observable<IncidentChange>): Subscription {
    if (this.archivePolicy && !this.archiveTimer) {
      this.requestArchiveCheck();
      this.archiveTimer = this.clock.setInterval(() => this.requestArchiveCheck(), ARCHIVE_AGE_CHECK_EVERY_MS);
      unrefTimer(this.archiveTimer);
    }
    return changes$.subscribe((change) => {
      if (change.type === "opened" || change.type === "folded") this.upsert(change.incident, false);
      else if (change.type === "transition") this.upsert(change.incident);
    });
  }

  /** Writes pending changes now and waits for the file to be in place; a failure is thrown. */
  async flush(): Promise<void> {
    for (;;) {
      this.clearTimer();
      if (this.inFlight) await this.inFlight;
      else if (this.dirty || this.overtaken) await this.startWrite(true);
      else return;
    }
  }

  /**
   * Writes pending changes synchronously: for `process.on("exit")`, where nothing async runs any more. Prefer
   * `await flush()` where possible.
   */
  flushSync(): void {
    this.clearTimer();
    if (!this.dirty && !this.inFlight && !this.overtaken) return;
    const { chunks, length } = this.snapshotChunks();
    const started = this.now();
    try {
      writeFileAtomicSync(this.path, Buffer.concat(chunks, length));
    } catch (error) {
      this.noteFailure(error, started);
      throw error;
    }
    this.unwrittenIds.clear();
    this.changesWritten = this.changes;
    this.noteWrite(started, length);
    this.dirty = false;
    this.urgent = false;
    if (this.inFlight) this.overtaken = true;
    else if (this.intentPending) {
      this.intentPending = false;
      try {
        unlinkSync(getIntentPath(this.path));
      } catch {
        /* gone already; a leftover intent only costs a look-up at the next start */
      }
    }
  }

  /** Flushes, then stops scheduling writes (also when the flush fails: no retries after close). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.clearTimer();
      this.clock.clearInterval(this.archiveTimer);
      this.archiveTimer = null;
      await this.file.close();
    }
  }

  /** The journal as it will be written: elements in detection order. */
  getElements(): readonly unknown[] {
    return this.elements;
  }

  getStats(): Readonly<JournalWriterStats> {
    return { ...this.stats };
  }

  getBacklog(): JournalBacklog {
    return {
      unwritten: this.unwrittenIds.size,
      failingSinceMs: this.failingSinceMs,
      lastError: this.lastError,
      changes: this.changes,
      changesWritten: this.changesWritten,
    };
  }

  /** The file's exact content: `JSON.stringify(elements, null, 2)` (or compact) plus a newline. */
  serialize(): string {
    const { chunks, length } = this.snapshotChunks();
    return Buffer.concat(chunks, length).toString("utf8");
  }

  /**
   * The file's content as the chunks it is made of: the cached elements between the array's brackets and separators,
   * and its length in bytes. Taken now (a write holds these buffers, and upserts replace cache entries, never change
   * a buffer), so upserts while the write is under way do not reach this file.
   */
  private snapshotChunks(): { chunks: Buffer[]; length: number } {
    this.fillEncoded();
    const parts = this.encoded as Buffer[];
    if (parts.length === 0) return { chunks: [EMPTY_ARRAY], length: EMPTY_ARRAY.length };
    const frame = this.pretty ? PRETTY_FRAME : COMPACT_FRAME;
    const chunks = new Array<Buffer>(2 * parts.length + 1);
    let length = frame.open.length + frame.close.length + (parts.length - 1) * frame.separator.length;
    chunks[0] = frame.open;
    for (let i = 0; i < parts.length; i++) {
      chunks[2 * i + 1] = parts[i]!;
      chunks[2 * i + 2] = i < parts.length - 1 ? frame.separator : frame.close;
      length += parts[i]!.length;
    }
    return { chunks, length };
  }

  /** Length in bytes of what serialize() would return, without building it. */
  private measure(): number {
    this.fillEncoded();
    if (this.encoded.length === 0) return EMPTY_ARRAY.length;
    const frame = this.pretty ? PRETTY_FRAME : COMPACT_FRAME;
    let total = frame.open.length + frame.close.length - frame.separator.length;
    for (const part of this.encoded) total += part!.length + frame.separator.length;
    return total;
  }

  private fillEncoded(): void {
    const parts = this.encoded;
    for (let i = 0; i < parts.length; i++) {
      parts[i] ??= encodeOwn(this.pretty ? serializeIndented(this.elements[i]) : JSON.stringify(this.elements[i]));
    }
  }

  private schedule(): void {
    if (this.closed || this.inFlight || this.startQueued) return; // the write in flight re-schedules when it ends
    const delayMs = this.urgent && this.consecutiveFailures === 0 ? 0 : this.computeDelayMs();
    if (delayMs <= 0) {
      this.clearTimer();
      this.startQueued = true;
      queueMicrotask(() => {
        this.startQueued = false;
        if (!this.closed && !this.inFlight) void this.startWrite(false);
      });
      return;
    }
    if (this.timer !== null) return;
    const timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (!this.inFlight) void this.startWrite(false);
    }, delayMs);
    unrefTimer(timer);
    this.timer = timer;
  }

  /** How long pending non-final changes wait before the next write starts (0: start it now). */
  private computeDelayMs(): number {
    // After failures (disk full, permissions) back off up to 30 s instead of retrying at once.
    const backoffMs = this.consecutiveFailures > 0 ? Math.min(30_000, 250 * 2 ** (this.consecutiveFailures - 1)) : 0;
    const gapMs = Math.max(this.minIntervalMs, GAP_PER_WRITE_DURATION * this.lastWriteDurationMs, backoffMs);
    return this.lastWriteEndMs + gapMs - this.now();
  }

  /** One atomic write of the current state; `rethrow` for flush(), else failures go to onError and retry later. */
  private startWrite(rethrow: boolean): Promise<void> {
    if (!this.dirty && !this.overtaken) return Promise.resolve();
    const write = this.writeNow().catch((error: unknown) => {
      if (rethrow) throw error;
      this.onError?.(error);
    });
    const tracked = write.finally(() => {
      this.inFlight = null;
      if (this.overtaken) this.dirty = true;
      if (this.dirty) this.schedule();
    });
    this.inFlight = tracked.catch(() => undefined);
    return tracked;
  }

  private async writeNow(): Promise<void> {
    if (this.archivePolicy) await this.archiveIfDue(this.archivePolicy);
    this.dirty = false;
    this.urgent = false;
    this.overtaken = false;
    const { chunks, length } = this.snapshotChunks();
    const written = this.unwrittenIds;
    this.unwrittenIds = new Set();
    const changes = this.changes;
    const started = this.now();
    let replaced: Awaited<ReturnType<LiveJournalFile["replace"]>>;
    try {
      replaced = await this.file.replace(chunks);
    } catch (error) {
      this.dirty = true;
      for (const id of written) this.unwrittenIds.add(id);
      this.noteFailure(error, started);
      throw error;
    }
    // Readers see the new version; while it is made durable (the folder synced), the next one is prepared.
    const preparing = this.prepareNext();
    await replaced.durable;
    this.changesWritten = Math.max(this.changesWritten, changes);
    this.noteWrite(started, length, replaced.visibleMs);
    // Grown past its bound while this write was prepared: the next write moves the oldest closed incidents.
    const maxBytes = this.archivePolicy?.maxBytes ?? null;
    if (maxBytes !== null && length > maxBytes && this.now() >= this.nextSizeCheckMs) this.dirty = true;
    if (this.intentPending && !this.overtaken) {
      this.intentPending = false;
      await removeIntent(this.path);
    }
    await preparing;
  }

  /**
   * Writes the settled beginning of the journal ahead of the next change, so that change writes and syncs only the
   * rest: every element up to the first one likely to change soon (see countSettled).
   */
  private async prepareNext(): Promise<void> {
    if (this.closed) return;
    this.fillEncoded();
    const settled = this.countSettled();
    const { chunks } = this.snapshotChunks();
    // The element's own chunk and the separator after it, for each settled element, after the opening bracket.
    const prefix = chunks.slice(0, 2 * settled + 1);
    let bytes = 0;
    for (const chunk of prefix) bytes += chunk.length;
    if (settled === 0 || bytes < MIN_PREPARED_BYTES) {
      await this.file.discardPrepared();
      return;
    }
    await this.file.prepare(prefix).catch(() => undefined); // only speed is lost: the next write is a whole one
  }

  /**
   * How many elements from the start are settled, leaving at least the last one out. An element is settled when it
   * is not an open incident, or did not change for SETTLED_AFTER_MS: closed incidents rarely change again, an incident
   * being worked on changes with each attempt, and one that waits quietly (behind an outage) would otherwise keep
   * everything after it out. A settled element that changes after all only makes the next write a whole one.
   */
  private countSettled(): number {
    const last = this.elements.length - 1;
    const quietSince = this.now() - SETTLED_AFTER_MS;
    let i = 0;
    while (i < last && (this.changedMs[i]! <= quietSince || !isOpenEstado((this.elements[i] as { estado?: unknown }).estado))) i++;
    return i;
  }

  /** Asks for an age check of closed incidents at the next write, and for that write to happen soon. */
  private requestArchiveCheck(): void {
    this.nextAgeCheckMs = 0;
    this.dirty = true;
    this.schedule();
  }

  /**
   * Moves what the policy says is due to the archives, before the live write that drops it. A failure (disk full,
   * an archive edited into something else) leaves those incidents live and is reported; the live write goes on.
   */
  private async archiveIfDue(policy: ArchivePolicy): Promise<void> {
    // The last move's intent stays until the live file is written without its incidents: a new intent would hide
    // them from the recovery of a crash.
    if (this.intentPending) return;
    const nowMs = this.now();
    const totalLength = this.measure();
    const ageDue = nowMs >= this.nextAgeCheckMs;
    const sizeDue = policy.maxBytes !== null && totalLength > policy.maxBytes && nowMs >= this.nextSizeCheckMs;
    if (!ageDue && !sizeDue) return;
    if (ageDue) this.nextAgeCheckMs = nowMs + ARCHIVE_AGE_CHECK_EVERY_MS;
    const lengths = this.encoded.map((part) => part!.length);
    const picked = selectArchivable({ elements: this.elements, lengths, totalLength, nowMs, isHeld: this.isHeld }, policy);
    if (picked.length === 0) {
      if (sizeDue) this.nextSizeCheckMs = nowMs + ARCHIVE_SIZE_RETRY_MS;
      return;
    }
    const moving = picked.map((i) => ({ element: this.elements[i] as Record<string, unknown>, part: this.encoded[i]! }));
    try {
      await this.moveToArchives(moving);
    } catch (error) {
      this.nextSizeCheckMs = nowMs + ARCHIVE_SIZE_RETRY_MS;
      const message = `archiving failed, the incidents stay in the live journal: ${describeError(error)}`;
      this.onArchive?.({ kind: "archive_failed", error, message });
    }
  }

  /** Intent, archives (one per close month), then the elements leave memory; the caller's write drops them on disk. */
  private async moveToArchives(moving: Array<{ element: Record<string, unknown>; part: Buffer }>): Promise<void> {
    const byMonth = new Map<string, typeof moving>();
    for (const m of moving) {
      const month = readCloseMonth(m.element)!;
      let list = byMonth.get(month);
      if (!list) byMonth.set(month, (list = []));
      list.push(m);
    }
    const targets: Array<{ path: string; items: typeof moving }> = [];
    const existing = await listArchiveFiles(this.path);
    for (const [month, items] of [...byMonth].sort((a, b) => a[0].localeCompare(b[0]))) {
      targets.push({ path: await pickArchivePart(this.path, month, existing), items });
    }
    const files = targets.map((t) => t.path);
    const names = files.map((f) => basename(f)).join(", ");
    this.onArchive?.({ kind: "archiving", count: moving.length, files, message: `archiving ${moving.length} closed incident(s) to ${names}` });
    await writeIntent(this.path, files, moving.map((m) => m.element["id"] as string));
    this.intentPending = true;
    await this.pauseForCrashTests();
    const moved = new Set<unknown>();
    try {
      for (const target of targets) {
        await appendToArchive(target.path, target.items.map((m) => m.part), { pretty: this.pretty, modeFrom: this.path });
        for (const m of target.items) moved.add(m.element);
        await this.pauseForCrashTests();
      }
    } finally {
      // What reached an archive leaves the live journal even when a later archive failed. Only incidents nothing
      // tracks are moved, so none of them changed while the archives were written.
      if (moved.size > 0) {
        this.removeWhere((el) => moved.has(el));
        this.dirty = true;
        this.stats.archived += moved.size;
      }
    }
    this.onArchive?.({ kind: "archived", count: moved.size, files, message: `archived ${moved.size} closed incident(s) to ${names}` });
  }

  private async pauseForCrashTests(): Promise<void> {
    if (this.archiveStepDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.archiveStepDelayMs));
  }

  /** Drops the elements `drop` selects, keeping the caches in step. */
  private removeWhere(drop: (element: unknown) => boolean): void {
    let j = 0;
    for (let i = 0; i < this.elements.length; i++) {
      const el = this.elements[i];
      if (drop(el)) {
        const id = (el as { id?: unknown }).id;
        if (typeof id === "string" && this.indexById.get(id) === i) this.indexById.delete(id);
        continue;
      }
      this.elements[j] = el;
      this.encoded[j] = this.encoded[i]!;
      this.detectedMs[j] = this.detectedMs[i]!;
      this.changedMs[j] = this.changedMs[i]!;
      j++;
    }
    this.elements.length = j;
    this.encoded.length = j;
    this.detectedMs.length = j;
    this.changedMs.length = j;
    this.indexById.clear();
    this.rebuildIndex(0);
    this.stats.elements = j;
  }

  private noteFailure(error: unknown, startedMs: number): void {
    this.consecutiveFailures++;
    this.lastWriteEndMs = this.now();
    this.onWrite?.({ ok: false, durationMs: this.lastWriteEndMs - startedMs });
    this.failingSinceMs ??= this.lastWriteEndMs;
    this.lastError = describeError(error);
  }

  /** `visibleMs`: how long readers waited for this write (the gap before the next one is counted from it). */
  private noteWrite(startedMs: number, bytes: number, visibleMs?: number): void {
    const end = this.now();
    const recovered = this.failingSinceMs !== null;
    this.failingSinceMs = null;
    this.lastError = null;
    this.consecutiveFailures = 0;
    this.lastWriteEndMs = end;
    this.lastWriteDurationMs = visibleMs ?? end - startedMs;
    this.stats.writes++;
    this.stats.lastWriteMs = this.lastWriteDurationMs;
    this.stats.lastBytes = bytes;
    this.stats.elements = this.elements.length;
    this.onWrite?.({ ok: true, durationMs: this.lastWriteDurationMs });
    if (recovered) this.onRecovered?.();
  }

  private insertByDetectionTime(incident: Incident): void {
    const t = parseDetectedMs(incident);
    let i = this.elements.length;
    while (i > 0 && this.detectedMs[i - 1]! > t) i--; // new incidents are nearly always the newest: O(1)
    this.elements.splice(i, 0, incident);
    this.encoded.splice(i, 0, null);
    this.detectedMs.splice(i, 0, t);
    this.changedMs.splice(i, 0, this.now());
    this.rebuildIndex(i);
    this.stats.elements = this.elements.length;
  }

  private rebuildIndex(from: number): void {
    for (let i = from; i < this.elements.length; i++) {
      const id = (this.elements[i] as { id?: unknown }).id;
      if (typeof id === "string") this.indexById.set(id, i);
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The archive file a month's incidents go to: its last part, or a new part once that one has grown past
 * MAX_ARCHIVE_PART_BYTES (each append copies the part, so parts stay small enough to copy quickly).
 */
async function pickArchivePart(journalPath: string, month: string, existing: ReadonlyArray<{ path: string; month: string; part: number }>): Promise<string> {
  const parts = existing.filter((f) => f.month === month);
  const last = parts[parts.length - 1];
  if (!last) return formatArchivePath(journalPath, month, 1);
  const size = await stat(last.path).then((st) => st.size, () => 0);
  return size < MAX_ARCHIVE_PART_BYTES ? last.path : formatArchivePath(journalPath, month, last.part + 1);
}

const EMPTY_ARRAY = Buffer.from("[]\n");
const PRETTY_FRAME = { open: Buffer.from("[\n"), separator: Buffer.from(",\n"), close: Buffer.from("\n]\n") };
const COMPACT_FRAME = { open: Buffer.from("["), separator: Buffer.from(","), close: Buffer.from("]\n") };

/**
 * `text` as UTF-8 in a buffer of its own: not a slice of Buffer.from's shared pool, where one cached element would keep
 * the whole pool slab alive.
 */
function encodeOwn(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/**
 * An element exactly as it appears inside the whole array pretty-printed (indented by two more), so the cached parts
 * join into what `JSON.stringify(elements, null, 2)` would give: the element's array of one without its brackets
 * (`[\n` and `\n]`), a third faster than indenting the element's own text afterwards. Only encodeOwn's copy of it is
 * kept.
 */
function serializeIndented(element: unknown): string {
  const bracketed = JSON.stringify([element], null, 2);
  return bracketed.slice(2, bracketed.length - 2);
}

/** Whether a journal element is an incident still being worked on (it will change again). */
function isOpenEstado(estado: unknown): boolean {
  return typeof estado === "string" && !isTerminal(estado as Estado);
}

/** Detection time of a journal element; elements without a readable timestamp sort first. */
function parseDetectedMs(element: unknown): number {
  const ts = (element as { timestamp?: unknown }).timestamp;
  const ms = typeof ts === "string" ? Date.parse(ts) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/**
 * Removes temp files that an earlier vigia killed mid-write left beside the journal (`.<name>.<pid>.<n>.tmp`, see
 * writeFileAtomic), when their process is gone: each is a full journal copy, and the real journal is intact.
 */
async function removeStaleTempFiles(journalPath: string): Promise<void> {
  const dir = dirname(journalPath);
  // The journal's temp copies and the archive intent's (`..<name>.archiving.<pid>.<n>.tmp`).
  const prefixes = [`.${basename(journalPath)}.`, `.${basename(getIntentPath(journalPath))}.`];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    // An archive append's temp file (`.<journal>-2025-12.json.<pid>.archive.tmp`) is an archive's copy: the
    // archive itself is intact, and the incidents are still live until a move completes.
    const prefix = name.endsWith(".tmp") ? prefixes.find((p) => name.startsWith(p)) : undefined;
    const pid = parseArchiveTempName(name)?.pid ?? (prefix ? Number(name.slice(prefix.length).split(".")[0]) : NaN);
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && isProcessAlive(pid))) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
