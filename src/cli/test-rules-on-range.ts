import { createReadStream } from "node:fs";
import { MultilineGrouper } from "../events/multiline-grouper.js";
import { createSplitTracebackFinder } from "../events/find-split-tracebacks.js";
import { readLinesFromStream } from "../sources/index.js";
import { createRuleMatcher } from "../rules/match-rules.js";
import type { CompiledRule, LogEvent, SourceLine } from "../types.js";

/** What `test-rules` finds in one byte range of a file; line numbers count from the range's first line (1). */
export interface RangeReport {
  lines: number;
  events: number;
  counts: Record<string, number>;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
  /** Without a start pattern: the number of the first line that begins a Python traceback, if any. */
  splitTracebackLine: number | null;
}

export interface RangeSpec {
  file: string;
  /** First byte (a line's first byte) and the byte after the last one. */
  start: number;
  end: number;
  rules: readonly CompiledRule[];
  sourceName: string;
  /** The source's `multiline.start`, or null (one line, one event). */
  startPattern: RegExp | null;
  /** Called after each chunk with the bytes of the range read so far. */
  onProgress?: (bytesDone: number, lines: number) => void;
}

/**
 * Runs the rules over `[start, end)` of a file, as `vigia test-rules` does over a whole file: lines grouped into
 * events with the start pattern, each event matched. An event's `line` is the number of its first line, counted
 * in the range: lines are numbered by putting that number in the offset fields.
 */
export async function testRulesOnRange(spec: RangeSpec): Promise<RangeReport> {
  const { rules, sourceName } = spec;
  const matcher = createRuleMatcher(rules);
  const grouper = new MultilineGrouper({ startPatterns: spec.startPattern ? { [sourceName]: spec.startPattern } : {}, maxEventLines: 200 });
  const counts: Record<string, number> = Object.fromEntries(rules.map((r) => [r.id, 0]));
  const matches: RangeReport["matches"] = [];
  let lineNo = 0;
  let eventCount = 0;
  let bytesDone = 0;
  const onEvents = (events: LogEvent[]): void => {
    eventCount += events.length;
    for (const e of events) {
      const m = matcher(e);
      if (!m) continue;
      counts[m.rule.id] = (counts[m.rule.id] ?? 0) + 1;
      matches.push({ line: e.offset, rule: m.rule.id, fields: m.fields });
    }
  };
  let splitTracebackLine: number | null = null;
  const findSplitTracebacks = spec.startPattern ? null : createSplitTracebackFinder([sourceName], (header) => (splitTracebackLine = header.offset));
  const out: LogEvent[] = [];
  if (spec.end > spec.start) {
    // A pipe (end Infinity) is read from where it is: a position would make every read a pread, which a pipe refuses.
    const range = Number.isFinite(spec.end) ? { start: spec.start, end: spec.end - 1 } : {};
    const stream = createReadStream(spec.file, { ...range, highWaterMark: 1 << 20 });
    await readLinesFromStream(stream, sourceName, (lines: SourceLine[]) => {
      for (const l of lines) {
        lineNo++;
        l.offset = lineNo;
        l.endOffset = lineNo + 1;
        bytesDone += l.text.length + 1;
      }
      findSplitTracebacks?.(lines);
      grouper.push(lines, 0, out);
      onEvents(out.splice(0));
      spec.onProgress?.(bytesDone, lineNo);
    }, { file: spec.file });
  }
  grouper.flushAll(out);
  onEvents(out.splice(0));
  return { lines: lineNo, events: eventCount, counts, matches, splitTracebackLine };
}
