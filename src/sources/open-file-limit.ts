import { readFileSync } from "node:fs";
import { OPEN_FILE_BUDGET_DEFAULTS } from "./open-file-budget.js";

/**
 * Descriptors kept out of the tailers' budget for the rest of vigia: stdio, Node's own (event loop, inotify,
 * worker pipes), monitor.log and its audit file, the journal and checkpoint temp files, the status server and its
 * connections, Telegram and webhook sockets, HTTP checks, and the pipes of actions and supervised processes.
 */
const RESERVED_DESCRIPTORS = 128;

/** Fewer files held open than this would reopen files all the time: the limit is too low to be useful. */
const MIN_OPEN_FILES = 16;

/** Descriptors the tailers may open for a moment while reading, beyond the files they hold. */
const READ_DESCRIPTORS = OPEN_FILE_BUDGET_DEFAULTS.maxConcurrentReads * OPEN_FILE_BUDGET_DEFAULTS.transientFilesPerRead;

/**
 * This process's soft limit on open files (`ulimit -n`; Node raises the soft limit to the hard one at start), from
 * /proc/self/limits; null where that file does not exist (not Linux).
 */
export function readOpenFileLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/limits", "utf8");
    } catch {
      return null;
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!match) return null;
  return match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** How many followed files may be held open, or why the limit is too low for the configuration. */
export type OpenFilePlan = { ok: true; maxOpenFiles: number; limit: number | null } | { ok: false; message: string };

/**
 * Decides `maxOpenFiles` from `tailing.max_open_files` (null = half the limit, what is left after the reserve at
 * most) and the process's limit; an error message (English, for the start-up error) when they do not fit.
 */
export function planOpenFiles(configured: number | null, limit: number | null): OpenFilePlan {
  if (limit === null || !Number.isFinite(limit)) {
    return { ok: true, maxOpenFiles: configured ?? 1024, limit };
  }
  const kept = RESERVED_DESCRIPTORS + READ_DESCRIPTORS;
  const usable = limit - kept;
  const advice = "raise the limit (ulimit -n, or LimitNOFILE= in a systemd unit)";
  if (usable < MIN_OPEN_FILES) {
    return {
      ok: false,
      message:
        `the open-file limit (ulimit -n) is ${limit}: ${kept} descriptors are kept for the journal, the status server, ` +
        `checks, actions and reads in progress, which leaves ${Math.max(0, usable)} for followed files, fewer than the ${MIN_OPEN_FILES} needed; ${advice}`,
    };
  }
  if (configured !== null && configured > usable) {
    return {
      ok: false,
      message:
        `tailing.max_open_files is ${configured}, but the open-file limit (ulimit -n) is ${limit} and ${kept} descriptors ` +
        `are kept for the journal, the status server, checks, actions and reads in progress: set tailing.max_open_files ` +
        `to ${usable} or less, or ${advice}`,
    };
  }
  return { ok: true, maxOpenFiles: configured ?? Math.max(MIN_OPEN_FILES, Math.min(Math.floor(limit / 2), usable)), limit };
}
