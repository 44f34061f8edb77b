import type { LogEvent, SourceLine } from "../types.js";
import { MULTILINE_DEFAULTS } from "../config/defaults.js";

/** How lines become events; one entry per source that declares `multiline.start`. */
export interface MultilineOptions {
  /**
   * Start pattern per source name (`multiline.start` of the config). A line matching it begins a new event;
   * other lines continue the pending one. Sources not listed: one line = one event.
   */
  startPatterns: ReadonlyMap<string, RegExp> | Readonly<Record<string, RegExp | null | undefined>>;
  /**
   * Flush a pending event after this long without a new line for it. Default `multiline.flush_ms` (500 ms, in
   * config/defaults.ts): Python's logging writes a record and its traceback in one write(), so a traceback nearly
   * always arrives in one read; when a write is split across reads, the tailer's stat check (every 250 ms) delivers
   * the rest within one poll, and 500 ms leaves twice that margin while keeping detection latency well under a second.
   */
  flushIdleMs?: number;
  /** Flush an event early when it reaches this many lines; the rest of it starts a new event. Default 200. */
  maxEventLines?: number;
  /** Flush an event early before it would exceed this many bytes. Default 256 KiB. */
  maxEventBytes?: number;
  /**
   * Whether file `fileId` holds bytes already written and not read yet (the tailer is behind: a catch-up, a reader
   * waiting for the matcher, a starved process). A pending event of such a file is not idle, whatever the clock
   * says: its next lines may be those bytes, so the idle flush waits for the read instead of cutting the event.
   */
  isBehind?: (fileId: string) => boolean;
}

const DEFAULT_MAX_EVENT_LINES = 200;
const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/** An event still collecting continuation lines; mutated in place so a busy source allocates little. */
interface PendingEvent {
  source: string;
  file: string;
  fileId: string;
  first: string;
  /** Continuation lines; null while the event is a single line (the common case). */
  rest: string[] | null;
  lineCount: number;
  bytes: number;
  offset: number;
  endOffset: number;
  readAtMs: number;
  lastLineAtMs: number;
}

/**
 * The multiline grouping state machine, without timers: the caller supplies the clock (`nowMs`) and asks for
 * idle flushes. Pending events are keyed by source *and* file identity, so a traceback in a rotated file never
 * borrows lines from its successor and an event's offsets always belong to one file.
 */
export class MultilineGrouper {
  readonly flushIdleMs: number;
  readonly maxEventLines: number;
  readonly maxEventBytes: number;
  private readonly isBehind: ((fileId: string) => boolean) | undefined;
  private readonly patterns: Map<string, RegExp>;
  private readonly pending = new Map<string, PendingEvent>();
  // One-entry caches: consecutive lines nearly always share source and file.
  private lastSource: string | null = null;
  private lastPattern: RegExp | undefined;
  private lastKeySource: string | null = null;
  private lastKeyFileId: string | null = null;
  private lastKey = "";

  constructor(options: MultilineOptions) {
    this.flushIdleMs = options.flushIdleMs ?? MULTILINE_DEFAULTS.flush_ms;
    this.maxEventLines = Math.max(1, options.maxEventLines ?? DEFAULT_MAX_EVENT_LINES);
    this.maxEventBytes = Math.max(1, options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
    this.isBehind = options.isBehind;
    this.patterns = new Map();
    const entries =
      options.startPatterns instanceof Map ? [...options.startPatterns] : Object.entries(options.startPatterns);
    for (const [source, pattern] of entries) {
      if (pattern) this.patterns.set(source, stripStatefulFlags(pattern));
    }
  }

  /** Number of events waiting for continuation lines or their idle flush. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Feeds a batch of lines read at `nowMs`; completed events are appended to `out` in completion order. */
  push(lines: readonly SourceLine[], nowMs: number, out: LogEvent[]): void {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const pattern = this.getPattern(line.source);
      if (pattern === undefined) {
        out.push(toSingleLineEvent(line));
        continue;
      }
      const key = this.getKey(line.source, line.fileId);
      const pending = this.pending.get(key);
      if (pattern.test(line.text)) {
        if (pending) {
          out.push(finishEvent(pending));
          resetPending(pending, line, nowMs);
        } else {
          this.pending.set(key, createPending(line, nowMs));
        }
      } else if (pending) {
        const size = measureLineBytes(line);
        if (pending.lineCount >= this.maxEventLines || pending.bytes + size > this.maxEventBytes) {
          // Capped: what we have is emitted now, and the rest of the runaway event continues as a new one.
          out.push(finishEvent(pending));
          resetPending(pending, line, nowMs);
        } else {
          (pending.rest ??= []).push(line.text);
          pending.lineCount++;
          pending.bytes += size;
          pending.endOffset = line.endOffset;
          pending.lastLineAtMs = nowMs;
        }
      } else {
        // A continuation with nothing to continue (start of file, after an idle flush, bad pattern): on its own.
        out.push(toSingleLineEvent(line));
      }
    }
  }

  /**
   * Flushes the events that have had no new line for `flushIdleMs` at `nowMs`; one of a file still behind waits
   * `flushIdleMs` more (see `isBehind`).
   */
  flushIdle(nowMs: number, out: LogEvent[]): void {
    for (const [key, p] of this.pending) {
      if (p.lastLineAtMs + this.flushIdleMs > nowMs) continue;
      if (this.isBehind?.(p.fileId)) {
        p.lastLineAtMs = nowMs;
        continue;
      }
      out.push(finishEvent(p));
      this.pending.delete(key);
    }
  }

  /**
   * Flushes every pending event (end of input, shutdown). With `left`, the events of a file still behind (see
   * `isBehind`: a stop left its next bytes unread) are dropped instead, their first offset per file put in `left`:
   * they are read again, whole, by the next start.
   */
  flushAll(out: LogEvent[], left?: Map<string, number>): void {
    for (const p of this.pending.values()) {
      if (left && this.isBehind?.(p.fileId)) {
        const known = left.get(p.fileId);
        if (known === undefined || p.offset < known) left.set(p.fileId, p.offset);
      } else out.push(finishEvent(p));
    }
    this.pending.clear();
  }

  /** When the next idle flush is due, or null when nothing is pending. */
  getNextFlushAtMs(): number | null {
    let min = Infinity;
    for (const p of this.pending.values()) min = Math.min(min, p.lastLineAtMs + this.flushIdleMs);
    return min === Infinity ? null : min;
  }

  /**
   * Offset of the first line of the earliest pending event read from `fileId`, or undefined when none is
   * pending: a checkpoint must not pass it, or a restart would lose the event's start.
   */
  getPendingOffset(fileId: string): number | undefined {
    let min: number | undefined;
    for (const p of this.pending.values()) {
      if (p.fileId === fileId && (min === undefined || p.offset < min)) min = p.offset;
    }
    return min;
  }

  private getPattern(source: string): RegExp | undefined {
    if (source !== this.lastSource) {
      this.lastSource = source;
      this.lastPattern = this.patterns.get(source);
    }
    return this.lastPattern;
  }

  private getKey(source: string, fileId: string): string {
    if (source !== this.lastKeySource || fileId !== this.lastKeyFileId) {
      this.lastKeySource = source;
      this.lastKeyFileId = fileId;
      this.lastKey = `${source}\u0000${fileId}`;
    }
    return this.lastKey;
  }
}

/** `g` and `y` make `test()` stateful (lastIndex); a start pattern must answer the same for the same line. */
function stripStatefulFlags(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")) : pattern;
}

/**
 * Bytes the line takes (its terminator counted, standing for the "\n" that joins it): free from its offsets,
 * measured only for lines that were cut or come from non-file sources.
 */
function measureLineBytes(line: SourceLine): number {
  return line.offset >= 0 && line.truncatedBytes === undefined
    ? line.endOffset - line.offset
    : Buffer.byteLength(line.text) + 1;
}

function toSingleLineEvent(line: SourceLine): LogEvent {
  return {
    source: line.source,
    file: line.file,
    fileId: line.fileId,
    text: line.text,
    lineCount: 1,
    offset: line.offset,
    endOffset: line.endOffset,
    readAtMs: line.readAtMs,
  };
}

function createPending(line: SourceLine, nowMs: number): PendingEvent {
  return {
    source: line.source,
    file: line.file,
    fileId: line.fileId,
    first: line.text,
    rest: null,
    lineCount: 1,
    bytes: measureLineBytes(line),
    offset: line.offset,
    endOffset: line.endOffset,
    readAtMs: line.readAtMs,
    lastLineAtMs: nowMs,
  };
}

function resetPending(p: PendingEvent, line: SourceLine, nowMs: number): void {
  p.file = line.file;
  p.first = line.text;
  p.rest = null;
  p.lineCount = 1;
  p.bytes = measureLineBytes(line);
  p.offset = line.offset;
  p.endOffset = line.endOffset;
  p.readAtMs = line.readAtMs;
  p.lastLineAtMs = nowMs;
}

function finishEvent(p: PendingEvent): LogEvent {
  return {
    source: p.source,
    file: p.file,
    fileId: p.fileId,
    text: p.rest === null ? p.first : `${p.first}\n${p.rest.join("\n")}`,
    lineCount: p.lineCount,
    offset: p.offset,
    endOffset: p.endOffset,
    readAtMs: p.readAtMs,
  };
}
