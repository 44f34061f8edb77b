import { PYTHON_LOG_START } from "../config/defaults.js";
import type { SourceLine } from "../types.js";

/** Python's traceback header: a line of its own, followed by the frames (`  File "…", line N, in f`). */
const TRACEBACK_HEADER = "Traceback (most recent call last):";
const FRAME_LINE = /^\s+File "/;
const T = TRACEBACK_HEADER.charCodeAt(0);

/**
 * Watches the lines of sources declared without `multiline` for Python tracebacks: a header line followed by an
 * indented `File "…"` line. Such a source makes each traceback line an event of its own, so a rule sees the
 * exception line without the message above it (or never sees the two together); nothing else would tell the user.
 * Calls `onFound` with the header line, once per source; a source found is no longer watched, and the check per
 * line is one character compare until a header shows up.
 */
export function createSplitTracebackFinder(sources: Iterable<string>, onFound: (header: SourceLine) => void): (lines: readonly SourceLine[]) => void {
  const watched = new Set(sources);
  /** Per source, a header line whose next line has not been seen yet (batches may cut between the two). */
  const headers = new Map<string, SourceLine>();
  return (lines) => {
    if (watched.size === 0) return;
    for (const line of lines) {
      if (!watched.has(line.source)) continue;
      const header = headers.get(line.source);
      if (header !== undefined) {
        headers.delete(line.source);
        if (FRAME_LINE.test(line.text)) {
          watched.delete(line.source);
          onFound(header);
          continue;
        }
      }
      if (line.text.charCodeAt(0) === T && line.text.startsWith(TRACEBACK_HEADER)) headers.set(line.source, line);
    }
  };
}

/**
 * What to tell the user about a source that splits tracebacks (`where`: which file, which line), and what to add
 * to its config: the start pattern of Python's logging format, which vigia's default sources use.
 */
export function describeSplitTraceback(source: string, where: string): string {
  return (
    `source ${source}: ${where} begins a Python traceback ("${TRACEBACK_HEADER}" followed by indented 'File "…"' lines), ` +
    "but the source has no `multiline`, so each of its lines is an event of its own and rules see the traceback in pieces; " +
    `add to the source in the config: multiline: { start: '${PYTHON_LOG_START}' } (a line matching start begins a new event; ` +
    "adapt it to the log's timestamp)"
  );
}
