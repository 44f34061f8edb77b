/**
 * The time a log line states at its start, in ms since epoch: `2025-12-25 14:30:20,123` (Python logging's asctime,
 * local time), `2025-12-25T14:30:20.123`, with an optional `Z` or `±hh:mm` / `±hhmm` right after the seconds.
 * Null when the text does not start with such a time. Called for every event the incident manager sees, so it
 * reads characters instead of running a regex, and converts local time once per minute of log.
 */
export function readLogTimeMs(text: string): number | null {
  if (text.length < 19 || !isDigit(text.charCodeAt(0))) return null;
  const year = readNumber(text, 0, 4);
  const month = readNumber(text, 5, 2);
  const day = readNumber(text, 8, 2);
  const hour = readNumber(text, 11, 2);
  const minute = readNumber(text, 14, 2);
  const second = readNumber(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return null;
  }
  if (text[4] !== "-" || text[7] !== "-" || (text[10] !== " " && text[10] !== "T") || text[13] !== ":" || text[16] !== ":") return null;
  let at = 19;
  let millis = 0;
  if (text[at] === "," || text[at] === ".") {
    let scale = 100;
    for (at++; at < text.length && isDigit(text.charCodeAt(at)); at++) {
      millis += (text.charCodeAt(at) - 48) * scale;
      scale /= 10;
    }
    millis = Math.floor(millis);
  }
  const offsetMinutes = readZone(text, at);
  const minuteKey = ((((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 10_000 + (offsetMinutes ?? 9999);
  if (minuteKey !== cachedMinuteKey) {
    cachedMinuteKey = minuteKey;
    cachedMinuteMs =
      offsetMinutes === null
        ? new Date(year, month - 1, day, hour, minute).getTime()
        : Date.UTC(year, month - 1, day, hour, minute) - offsetMinutes * 60_000;
  }
  return Number.isNaN(cachedMinuteMs) ? null : cachedMinuteMs + second * 1000 + millis;
}

/** The last minute converted: a log's lines come minute after minute, so most lines reuse it. */
let cachedMinuteKey = -1;
let cachedMinuteMs = NaN;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The number written with exactly `length` digits at `from`, or -1. */
function readNumber(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    n = n * 10 + code - 48;
  }
  return n;
}

/** Minutes east of UTC of a `Z`, `±hh:mm` or `±hhmm` at `at`; null for none (local time). */
function readZone(text: string, at: number): number | null {
  const sign = text[at];
  if (sign === "Z") return 0;
  if (sign !== "+" && sign !== "-") return null;
  const hours = readNumber(text, at + 1, 2);
  const minutes = text[at + 3] === ":" ? readNumber(text, at + 4, 2) : readNumber(text, at + 3, 2);
  if (hours < 0 || minutes < 0) return null;
  return (sign === "-" ? -1 : 1) * (hours * 60 + minutes);
}
