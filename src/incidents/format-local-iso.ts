/**
 * Times in the journal are local with their offset (`2025-12-25T14:30:20.123+01:00`), as the seed system wrote
 * them: operators read them next to the bot's own local-time log lines. `offsetMinutes` (east of UTC) defaults to
 * the process's time zone at that instant, so daylight-saving changes are respected.
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * `offsetAt` (minutes east of UTC at an instant) asked once per minute of time when the minute has one offset from its
 * start to its end (every minute but the one of a change), else at each instant: a catch-up stamps thousands of steps
 * within a minute, and each look-up asks the time zone database.
 */
export function cacheOffsetByMinute(offsetAt: (ms: number) => number): (ms: number) => number {
  let cachedMinute = NaN;
  let cachedOffset = 0;
  let changingMinute = NaN;
  return (ms) => {
    const minute = Math.floor(ms / 60_000);
    if (minute === cachedMinute) return cachedOffset;
    if (minute === changingMinute) return offsetAt(ms);
    const start = offsetAt(minute * 60_000);
    if (start !== offsetAt(minute * 60_000 + 59_999)) {
      changingMinute = minute;
      return offsetAt(ms);
    }
    cachedMinute = minute;
    cachedOffset = start;
    return start;
  };
}

const getLocalOffsetMinutes = cacheOffsetByMinute((ms) => -new Date(ms).getTimezoneOffset());

/** The text of the last second formatted, up to its milliseconds (`2025-12-25T14:30:20.`), and its offset's. */
let stampSecond = NaN;
let stampOffset = NaN;
let stampHead = "";
let stampTail = "";

/** ISO 8601 with milliseconds and the local UTC offset, never `Z`. */
export function formatLocalIso(ms: number, offsetMinutes = getLocalOffsetMinutes(ms)): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return formatLocalIsoAnew(ms, offsetMinutes);
  // Steps of one incident, and of the incidents of one burst, fall within the same second: its digits are reused.
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond || offsetMinutes !== stampOffset) {
    const whole = formatLocalIsoAnew(second * 1000, offsetMinutes);
    stampHead = whole.slice(0, 20);
    stampTail = whole.slice(23);
    stampSecond = second;
    stampOffset = offsetMinutes;
  }
  return `${stampHead}${pad(ms - second * 1000, 3)}${stampTail}`;
}

function formatLocalIsoAnew(ms: number, offsetMinutes: number): string {
  // Shift the instant by the offset and print it as UTC: the wall-clock digits of that zone.
  const wall = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMinutes);
  return `${wall}${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYYMMDD-HHMMSS` in local time, for incident ids and names of files moved aside. */
export function formatCompactLocal(ms: number, offsetMinutes = getLocalOffsetMinutes(ms)): string {
  const wall = new Date(ms + offsetMinutes * 60_000);
  return (
    `${wall.getUTCFullYear()}${pad(wall.getUTCMonth() + 1)}${pad(wall.getUTCDate())}-` +
    `${pad(wall.getUTCHours())}${pad(wall.getUTCMinutes())}${pad(wall.getUTCSeconds())}`
  );
}

/** `2025-12-25 14:30:20` in local time from any ISO instant (the store of unclaimed errors keeps UTC); `?` when unreadable. */
export function formatLocalWallClock(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatLocalIso(ms).slice(0, 19).replace("T", " ") : "?";
}
