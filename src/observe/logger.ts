import { EOL } from "node:os";
import { join } from "node:path";
import type { EventEmitter } from "node:events";
import DailyRotateFile from "winston-daily-rotate-file";
import { renderLogLine, type LogEntry } from "./log-format.js";
import { formatLocalIsoTimestamp } from "./log-timestamp.js";
import { createSecretMasker, type SecretMasker } from "../util/mask-secrets.js";
import type { LogLevel } from "./log-level.js";

/**
 * vigia's logger: lines on a console stream and, for the daemon, `<log_dir>/monitor.log` rotated daily
 * (winston-daily-rotate-file's transport, 7 days kept). Every message and meta field is redacted first.
 * Logging never throws and never crashes vigia: a log file that cannot be written is reported on stderr and
 * the console keeps working.
 *
 * An entry is redacted, stamped and rendered once per sink here, not through winston's stream of formats and
 * transports (about 50 µs a line, most of a catch-up's logging); the file's lines of one turn of the event loop
 * reach its transport as one write, so the rotator looks up the date once per turn, not once per line.
 */

type LogMeta = Record<string, unknown>;

/** Most severe first, as winston's npm levels. */
const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, verbose: 4, debug: 5 };

/** The name operators tail; a symlink to the current daily file. */
export const MONITOR_LOG_NAME = "monitor.log";
/** Daily files: `monitor-2025-12-25.log`. */
const MONITOR_LOG_PATTERN = "monitor-%DATE%.log";
const AUDIT_FILE_NAME = "monitor-log-audit.json";
/** How long close() waits for the file to flush before giving up (a stuck disk must not block shutdown). */
const CLOSE_TIMEOUT_MS = 5_000;

export interface VigiaLogger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  verbose(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  log(level: LogLevel, message: string, meta?: LogMeta): void;
  /** True when a message of `level` would be written somewhere (skip building costly meta otherwise). */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger that adds `meta` to every entry; shares transports, secrets and close() with its parent. */
  child(meta: LogMeta): VigiaLogger;
  /** Registers a secret to mask from now on (tokens, header values); too-short strings are ignored. */
  addSecret(secret: string): void;
  setConsoleLevel(level: LogLevel): void;
  /** `<log_dir>/monitor.log`, or null without a file transport (console-only, or the file could not be set up). */
  readonly filePath: string | null;
  /** The last error of the file transport, null while it works. */
  readonly fileError: Error | null;
  /** Flushes and closes every transport; later calls are dropped. Safe to call twice. */
  close(): Promise<void>;
}

export interface ConsoleLoggerOptions {
  /** Console verbosity. */
  consoleLevel: LogLevel;
  /** Where console lines go; default stderr, so a command's stdout (`--json`) stays clean. */
  consoleStream?: NodeJS.WritableStream;
  /** Default: only when the stream is a TTY and NO_COLOR is unset. */
  colors?: boolean;
}

export interface FileLoggerOptions extends ConsoleLoggerOptions {
  /** Folder of monitor.log and its daily files (created when missing). */
  logDir: string;
  /** Level kept in the file; default `info`. */
  fileLevel?: LogLevel;
  /** Folder of the rotation audit file (which daily files exist, for the 7-day cleanup): the state dir. */
  auditDir: string;
  /** Daily files kept; default `7d`. */
  maxFiles?: string | number;
  /** Where file errors are reported; default stderr. */
  errorStream?: NodeJS.WritableStream;
  /** Called on each file error (after the first report of its kind on `errorStream`). */
  onFileError?: (error: Error) => void;
}

/** The transport's own key of the rendered line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for("message");

interface Shared {
  masker: SecretMasker;
  consoleStream: NodeJS.WritableStream;
  consoleLevel: LogLevel;
  consoleColors: boolean;
  file: DailyRotateFile | null;
  /** File lines rendered in this turn of the event loop, written together at its end. */
  pendingFileLines: string[];
  fileLevel: LogLevel | null;
  filePath: string | null;
  fileError: Error | null;
  closed: boolean;
  closing: Promise<void> | null;
  finishFile: (() => Promise<void>) | null;
}

function shouldUseColors(stream: NodeJS.WritableStream, colors: boolean | undefined): boolean {
  if (colors !== undefined) return colors;
  return Boolean((stream as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR;
}

/** Resolves when an emitter ends (finish, close or error) or after `timeoutMs`, whichever comes first. */
function waitForEnd(emitter: EventEmitter, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const event of ["finish", "close", "error"]) emitter.removeListener(event, done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    for (const event of ["finish", "close", "error"]) emitter.once(event, done);
  });
}

function buildShared(options: ConsoleLoggerOptions): Shared {
  const stream = options.consoleStream ?? process.stderr;
  return {
    masker: createSecretMasker(),
    consoleStream: stream,
    consoleLevel: options.consoleLevel,
    consoleColors: shouldUseColors(stream, options.colors),
    file: null,
    pendingFileLines: [],
    fileLevel: null,
    filePath: null,
    fileError: null,
    closed: false,
    closing: null,
    finishFile: null,
  };
}

/** Adds the daily-rotated file transport; any failure is reported and leaves the logger console-only. */
function attachFile(shared: Shared, options: FileLoggerOptions): void {
  const errorStream = options.errorStream ?? process.stderr;
  const reported = new Set<string>();
  const onError = (error: Error): void => {
    shared.fileError = error;
    const kind = (error as NodeJS.ErrnoException).code ?? error.message;
    if (!reported.has(kind)) {
      reported.add(kind);
      try {
        errorStream.write(`vigia: cannot write ${join(options.logDir, MONITOR_LOG_NAME)}: ${error.message}\n`);
      } catch {
        // nowhere left to report to
      }
    }
    options.onFileError?.(error);
  };
  let transport: DailyRotateFile;
  try {
    transport = new DailyRotateFile({
      dirname: options.logDir,
      filename: MONITOR_LOG_PATTERN,
      datePattern: "YYYY-MM-DD",
      maxFiles: options.maxFiles ?? "7d",
      createSymlink: true,
      symlinkName: MONITOR_LOG_NAME,
      auditFile: join(options.auditDir, AUDIT_FILE_NAME),
      level: options.fileLevel ?? "info",
    });
  } catch (error) {
    // The rotator creates the folder synchronously in its constructor (ENOTDIR, EACCES, EROFS...).
    onError(error as Error);
    return;
  }
  // The transport does not forward its stream's errors; unhandled they would crash the process.
  const logStream = transport.logStream as unknown as EventEmitter;
  logStream.on("error", onError);
  transport.on("error", onError);
  // A file stream that failed is already closed: close() must not wait for a 'finish' that never comes.
  // 'new' means the rotator opened the next daily file.
  let streamClosed = false;
  logStream.on("close", () => (streamClosed = true));
  logStream.on("new", () => (streamClosed = false));
  // Nothing is piped into the transport (lines are handed to log() directly): its errors are reported above.
  shared.file = transport;
  shared.fileLevel = options.fileLevel ?? "info";
  shared.filePath = join(options.logDir, MONITOR_LOG_NAME);
  shared.finishFile = () => (streamClosed ? Promise.resolve() : waitForEnd(logStream, CLOSE_TIMEOUT_MS));
}

function closeShared(shared: Shared): Promise<void> {
  if (shared.closing) return shared.closing;
  shared.closed = true;
  writePendingFileLines(shared);
  const fileDone = shared.finishFile?.() ?? Promise.resolve();
  try {
    shared.file?.close?.();
  } catch {
    // a stream that already failed: finishFile does not wait for it
  }
  shared.closing = fileDone;
  return shared.closing;
}

/** Redacts, stamps and renders one entry, and hands it to each sink whose level lets it through. */
function writeEntry(shared: Shared, level: LogLevel, message: string, baseMeta: LogMeta, meta: LogMeta | undefined): void {
  const entry: LogEntry = { ...baseMeta, ...meta, level, message };
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (key !== "level") fields[key] = shared.masker.maskValue(fields[key]);
  entry.timestamp = formatLocalIsoTimestamp();
  if (SEVERITY[level] <= SEVERITY[shared.consoleLevel]) {
    shared.consoleStream.write(`${renderLogLine(entry, { colors: shared.consoleColors, shortTime: true })}${EOL}`);
  }
  if (shared.file && shared.fileLevel && SEVERITY[level] <= SEVERITY[shared.fileLevel]) {
    if (shared.pendingFileLines.push(renderLogLine(entry, { colors: false, shortTime: false })) === 1) {
      queueMicrotask(() => writePendingFileLines(shared));
    }
  }
}

/** The file's lines of this turn, as one write (the transport adds the last line's end). */
function writePendingFileLines(shared: Shared): void {
  if (shared.pendingFileLines.length === 0 || !shared.file) return;
  const text = shared.pendingFileLines.join(EOL);
  shared.pendingFileLines = [];
  try {
    shared.file.log?.({ level: "info", message: text, [MESSAGE]: text }, () => undefined);
  } catch {
    // a log call must never take vigia down; the transport reports its errors
  }
}

function wrap(shared: Shared, baseMeta: LogMeta): VigiaLogger {
  const isLevelEnabled = (level: LogLevel): boolean => {
    const most = Math.max(SEVERITY[shared.consoleLevel], shared.fileLevel ? SEVERITY[shared.fileLevel] : -1);
    return SEVERITY[level] <= most;
  };
  const log = (level: LogLevel, message: string, meta?: LogMeta): void => {
    if (shared.closed || !isLevelEnabled(level)) return;
    try {
      writeEntry(shared, level, message, baseMeta, meta);
    } catch {
      // a log call must never take vigia down
    }
  };
  return {
    error: (m, meta) => log("error", m, meta),
    warn: (m, meta) => log("warn", m, meta),
    info: (m, meta) => log("info", m, meta),
    verbose: (m, meta) => log("verbose", m, meta),
    debug: (m, meta) => log("debug", m, meta),
    log,
    isLevelEnabled,
    child: (meta) => wrap(shared, { ...baseMeta, ...meta }),
    addSecret: (secret) => {
      shared.masker.addSecret(secret);
    },
    setConsoleLevel: (level) => {
      shared.consoleLevel = level;
    },
    get filePath() {
      return shared.filePath;
    },
    get fileError() {
      return shared.fileError;
    },
    close: () => closeShared(shared),
  };
}

/** The daemon's logger: console plus `<logDir>/monitor.log` (daily files, `maxFiles` kept, info and above). */
export function createLogger(options: FileLoggerOptions): VigiaLogger {
  const shared = buildShared(options);
  attachFile(shared, options);
  return wrap(shared, {});
}

/** A console-only logger for one-shot commands (`check`, `test-rules`, `report`): no file, no audit. */
export function createConsoleLogger(options: ConsoleLoggerOptions): VigiaLogger {
  return wrap(buildShared(options), {});
}
