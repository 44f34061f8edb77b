import { readdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Observable, Subscription } from "rxjs";
import type { Incident } from "../types.js";
import { writeFileAtomic, writeFileAtomicSync } from "../util/atomic-write.js";
import { isTerminal } from "./incident-state.js";
import type { IncidentChange } from "./incident-change.js";
import { loadJournal, type LoadedJournal } from "./load-journal.js";

export const DEFAULT_JOURNAL_MIN_INTERVAL_MS = 250;

export interface JournalWriterOptions {
  /**
   * Least time between two coalesced writes (non-final changes such as a fold). Default 250 ms: at most four
   * writes a second. It stretches to 4× the last write's duration for very large journals, so writing never
   * takes more than about a fifth of the time. Final transitions are written as soon as the previous write ends.
   */
  minIntervalMs?: number;
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
}

/** Whether the file on disk is behind, for /health and for the last words of a failed stop. */
export interface JournalBacklog {
  /** Incidents changed since the last successful write (not on disk, or on disk in an older state). */
  unwritten: number;
  /** When writes started failing (ms since epoch), null while they succeed. */
  failingSinceMs: number | null;
  lastError: string | null;
}

/** Counters for metrics and tests. */
export interface JournalWriterStats {
  writes: number;
  lastWriteMs: number;
  lastBytes: number;
  elements: number;
}

/**
 * Keeps `logs/descarga_errors.json` in step with the incidents: an array ordered by detection time, replaced
 * atomically (temp + fsync + rename) so it is valid JSON at every instant. Elements already in the journal —
 * from earlier runs or from the seed system — are kept as they are; each element's JSON is cached, so a write
 * costs one join of cached strings plus the re-serialisation of what changed.
 */
export class JournalWriter {
  private readonly minIntervalMs: number;
  private readonly pretty: boolean;
  private readonly onWarning: JournalWriterOptions["onWarning"];
  private readonly onError: JournalWriterOptions["onError"];
  private readonly onRecovered: JournalWriterOptions["onRecovered"];
  private readonly onWrite: JournalWriterOptions["onWrite"];

  private elements: unknown[] = [];
  private serialized: (string | null)[] = [];
  private detectedMs: number[] = [];
  private readonly indexById = new Map<string, number>();

  private dirty = false;
  private urgent = false;
  private timer: NodeJS.Timeout | null = null;
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
  private closed = false;
  private readonly stats: JournalWriterStats = { writes: 0, lastWriteMs: 0, lastBytes: 0, elements: 0 };

  constructor(
    readonly path: string,
    options: JournalWriterOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_JOURNAL_MIN_INTERVAL_MS;
    this.pretty = options.pretty ?? true;
    this.onWarning = options.onWarning;
    this.onError = options.onError;
    this.onRecovered = options.onRecovered;
    this.onWrite = options.onWrite;
  }

  /**
   * Loads the existing journal, to be appended to; returns its elements (feed them to `IncidentManager.seed`).
   * An unusable journal is moved aside with a warning and vigia starts a new one.
   */
  async load(): Promise<LoadedJournal> {
    await removeStaleTempFiles(this.path);
    const loaded = await loadJournal(this.path);
    if (loaded.movedAsideTo && loaded.problem) {
      this.onWarning?.({
        kind: "journal_moved_aside",
        path: this.path,
        movedTo: loaded.movedAsideTo,
        message: `journal ${this.path} unusable (${loaded.problem.message}); moved to ${loaded.movedAsideTo}`,
      });
    }
    this.elements = [...loaded.elements];
    this.serialized = this.elements.map(() => null);
    this.detectedMs = this.elements.map((el) => parseDetectedMs(el));
    this.rebuildIndex(0);
    this.stats.elements = this.elements.length;
    return loaded;
  }

  /** Adds or replaces an incident (by id). Final states are written promptly, the rest coalesced. */
  upsert(incident: Incident, urgent = isTerminal(incident.estado)): void {
    const index = this.indexById.get(incident.id);
    if (index !== undefined) {
      this.elements[index] = incident;
      this.serialized[index] = null;
    } else {
      this.insertByDetectionTime(incident);
    }
    this.dirty = true;
    this.unwrittenIds.add(incident.id);
    if (urgent) this.urgent = true;
    this.schedule();
  }

  /** Mirrors the manager's changes into the journal. */
  follow(changes$: Observable<IncidentChange>): Subscription {
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
    const data = this.serialize();
    const started = Date.now();
    try {
      writeFileAtomicSync(this.path, data);
    } catch (error) {
      this.noteFailure(error, started);
      throw error;
    }
    this.unwrittenIds.clear();
    this.noteWrite(started, data.length);
    this.dirty = false;
    this.urgent = false;
    if (this.inFlight) this.overtaken = true;
  }

  /** Flushes, then stops scheduling writes (also when the flush fails: no retries after close). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.clearTimer();
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
    return { unwritten: this.unwrittenIds.size, failingSinceMs: this.failingSinceMs, lastError: this.lastError };
  }

  /** The file's exact content: `JSON.stringify(elements, null, 2)` (or compact) plus a newline. */
  serialize(): string {
    const parts = this.serialized;
    for (let i = 0; i < parts.length; i++) {
      // Serialising `[element]` and dropping the brackets yields the element exactly as it appears inside the
      // whole array (indented by two), so the cached parts join into what JSON.stringify(elements) would give.
      parts[i] ??= this.pretty ? JSON.stringify([this.elements[i]], null, 2).slice(2, -2) : JSON.stringify(this.elements[i]);
    }
    if (parts.length === 0) return "[]\n";
    return this.pretty ? `[\n${parts.join(",\n")}\n]\n` : `[${parts.join(",")}]\n`;
  }

  private schedule(): void {
    if (this.closed || this.inFlight) return; // the write in flight re-schedules when it ends
    if (this.urgent && this.consecutiveFailures === 0) {
      this.clearTimer();
      void this.startWrite(false);
      return;
    }
    if (this.timer) return;
    // After failures (disk full, permissions) back off up to 30 s instead of retrying four times a second.
    const backoffMs = this.consecutiveFailures > 0 ? Math.min(30_000, 250 * 2 ** (this.consecutiveFailures - 1)) : 0;
    const intervalMs = Math.max(this.minIntervalMs, 4 * this.lastWriteDurationMs, backoffMs);
    const delayMs = Math.max(0, this.lastWriteEndMs + intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.startWrite(false);
    }, delayMs);
    this.timer.unref();
  }

  /** One atomic write of the current state; `rethrow` for flush(), else failures go to onError and retry later. */
  private startWrite(rethrow: boolean): Promise<void> {
    if (!this.dirty && !this.overtaken) return Promise.resolve();
    this.dirty = false;
    this.urgent = false;
    this.overtaken = false;
    const data = this.serialize();
    const written = this.unwrittenIds;
    this.unwrittenIds = new Set();
    const started = Date.now();
    const write = writeFileAtomic(this.path, data).then(
      () => this.noteWrite(started, data.length),
      (error: unknown) => {
        this.dirty = true;
        for (const id of written) this.unwrittenIds.add(id);
        this.noteFailure(error, started);
        if (rethrow) throw error;
        this.onError?.(error);
      },
    );
    const tracked = write.finally(() => {
      this.inFlight = null;
      if (this.overtaken) this.dirty = true;
      if (this.dirty) this.schedule();
    });
    this.inFlight = tracked.catch(() => undefined);
    return tracked;
  }

  private noteFailure(error: unknown, startedMs: number): void {
    this.consecutiveFailures++;
    this.lastWriteEndMs = Date.now();
    this.onWrite?.({ ok: false, durationMs: this.lastWriteEndMs - startedMs });
    this.failingSinceMs ??= this.lastWriteEndMs;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  private noteWrite(startedMs: number, bytes: number): void {
    const end = Date.now();
    const recovered = this.failingSinceMs !== null;
    this.failingSinceMs = null;
    this.lastError = null;
    this.consecutiveFailures = 0;
    this.lastWriteEndMs = end;
    this.lastWriteDurationMs = end - startedMs;
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
    this.serialized.splice(i, 0, null);
    this.detectedMs.splice(i, 0, t);
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
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
  const prefix = `.${basename(journalPath)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
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
