import { createInterface } from "node:readline";
import { describeFsErrorEs } from "../util/describe-error.js";
import { openRegularFile } from "../util/open-regular-file.js";

/** Error and warning lines of one source log, as the seed's log analyzer totals them. */
export interface LogLevelTotals {
  source: string;
  path: string;
  /** Lines at ERROR, CRITICAL or FATAL. */
  errors: number;
  /** Lines at WARNING or WARN. */
  warnings: number;
  lines: number;
  /** The file could not be read (missing, no permission, not a regular file): counts are 0. */
  unreadable: string | null;
}

const ERROR_LEVEL = /\b(?:ERROR|CRITICAL|FATAL)\b/;
const WARNING_LEVEL = /\bWARN(?:ING)?\b/;

/** Streams `path` line by line (a log can be gigabytes) and counts its levels. */
export async function countLogLevels(source: string, path: string): Promise<LogLevelTotals> {
  const totals: LogLevelTotals = { source, path, errors: 0, warnings: 0, lines: 0, unreadable: null };
  try {
    // A FIFO (nothing to count, and no writer may ever come) is not waited on.
    const handle = await openRegularFile(path);
    const lines = createInterface({ input: handle.createReadStream({ encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of lines) {
      totals.lines++;
      if (ERROR_LEVEL.test(line)) totals.errors++;
      else if (WARNING_LEVEL.test(line)) totals.warnings++;
    }
  } catch (error) {
    totals.unreadable = describeFsErrorEs(error) ?? "error desconocido";
  }
  return totals;
}
