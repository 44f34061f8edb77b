/**
 * Times in the journal are local with their offset (`2025-12-25T14:30:20.123+01:00`), as the seed system wrote
 * them: operators read them next to the bot's own local-time log lines. `offsetMinutes` (east of UTC) defaults to
 * the process's time zone at that instant, so daylight-saving changes are respected.
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function getLocalOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

/** ISO 8601 with milliseconds and the local UTC offset, never `Z`. */
export function formatLocalIso(ms: number, offsetMinutes = getLocalOffsetMinutes(ms)): string {
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
