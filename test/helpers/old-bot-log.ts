/**
 * An old log of the bot, for catch-up tests: two days in the past, its long-poll chatter every 20 ms (more than one
 * read, so `--from-start` takes it as a catch-up), with download timeouts and success lines in the seed's wordings.
 */
import { formatLocalIso } from "../../src/incidents/format-local-iso.js";

/** When the old log starts. */
export const OLD_LOG_T0 = Date.now() - 2 * 24 * 3_600_000;

/** `2025-12-25 14:30:20,131` in local time, as Python's logging writes it. */
function formatPythonTime(ms: number): string {
  return formatLocalIso(ms).slice(0, 23).replace("T", " ").replace(".", ",");
}

function pythonLine(level: string, message: string, ms: number, logger = "bot_central"): string {
  return `${formatPythonTime(ms)} - ${logger} - ${level} - ${message}\n`;
}

/** The saved file of video `n`. */
export function videoPath(n: number): string {
  return `modelos/victor/20251205_1430${String(n).padStart(2, "0")}_a3f2b1.mp4`;
}

export const timeoutAt = (ms: number, n: number): [number, string] => [ms, pythonLine("ERROR", `Download timeout for ${videoPath(n)}`, ms)];
export const savedAt = (ms: number, n: number): [number, string] => [ms, pythonLine("INFO", `Descarga exitosa: ${videoPath(n)} (250 MB)`, ms)];

/** The log's text from OLD_LOG_T0 for `seconds`: the chatter, with `records` (log ms → record) among it in time order. */
export function renderOldLog(seconds: number, records: Array<[number, string]>): string {
  const byTime = [...records].sort((a, b) => a[0] - b[0]);
  const chunks: string[] = [];
  let next = 0;
  for (let ms = OLD_LOG_T0; ms < OLD_LOG_T0 + seconds * 1000; ms += 20) {
    while (next < byTime.length && byTime[next]![0] <= ms) chunks.push(byTime[next++]![1]);
    chunks.push(pythonLine("INFO", 'HTTP Request: POST http://localhost:8081/bot***/getUpdates "HTTP/1.1 200 OK"', ms, "httpx"));
  }
  for (; next < byTime.length; next++) chunks.push(byTime[next]![1]);
  return chunks.join("");
}

/**
 * Forty timeouts 10 s apart over 420 s of log, the bot saving each video after one of `SAVED_AFTER_MS`'s delays or
 * never: with the seed's 1 + 2 + 4 s, those saved within 7 s are solucionado, the others fallido.
 */
export const SAVED_AFTER_MS = [null, 500, 3000, 6999, 7000, 7001, 9000, 20_000] as const;

export function renderFortyTimeouts(): string {
  const records: Array<[number, string]> = [];
  for (let n = 0; n < 40; n++) {
    const at = OLD_LOG_T0 + 5000 + n * 10_000;
    records.push(timeoutAt(at, n));
    const delay = SAVED_AFTER_MS[n % SAVED_AFTER_MS.length]!;
    if (delay !== null) records.push(savedAt(at + delay, n));
  }
  return renderOldLog(420, records);
}
