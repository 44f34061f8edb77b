import { formatLocalIsoTimestamp } from "./log-timestamp.js";
import { escapeControlChars } from "../util/escape-control-chars.js";

/** The fields of a log entry after redaction and its time stamp. */
export interface LogEntry {
  level: string;
  message: unknown;
  timestamp?: string;
  [key: string]: unknown;
}

const RESERVED = new Set(["level", "message", "timestamp"]);

const LEVEL_COLORS: Record<string, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  verbose: "\x1b[36m",
  debug: "\x1b[90m",
};
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/** JSON that never throws (bigint, odd objects) — a log call must not be able to crash vigia. */
function stringifySafely(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return '"[unserializable]"';
  }
}

/** `<time> <level> <message> {meta}`: the same layout on console and in monitor.log. */
export function renderLogLine(entry: LogEntry, options: { colors: boolean; shortTime: boolean }): string {
  const stamp = entry.timestamp ?? formatLocalIsoTimestamp();
  const time = options.shortTime ? stamp.slice(0, 23).replace("T", " ") : stamp;
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!RESERVED.has(key)) meta[key] = value;
  const message = escapeControlChars(typeof entry.message === "string" ? entry.message : stringifySafely(entry.message));
  // JSON escapes C0 controls but leaves bidi overrides and U+2028 as they are.
  const metaText = Object.keys(meta).length > 0 ? ` ${escapeControlChars(stringifySafely(meta))}` : "";
  const level = entry.level.padEnd(7);
  if (!options.colors) return `${time} ${level} ${message}${metaText}`;
  const color = LEVEL_COLORS[entry.level] ?? "";
  return `${DIM}${time}${RESET} ${color}${level}${RESET} ${message}${metaText ? `${DIM}${metaText}${RESET}` : ""}`;
}
