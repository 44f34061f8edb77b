/**
 * Detections per error_type in time buckets, for the dashboard's selectable window and the report's whole span.
 * A detection is an incident's `timestamp` (when it was opened); folded repeats are not detections.
 */
import { formatLocalIso } from "../../incidents/format-local-iso.js";
import type { BarBucket } from "./svg-chart.js";

export interface TimeWindow {
  /** The `?horas=` value that selects it. */
  hours: number;
  /** Spanish label of the selector. */
  label: string;
  bucketMs: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The windows the dashboard offers; 24 h is the default. */
export const TIME_WINDOWS: readonly TimeWindow[] = [
  { hours: 1, label: "1 h", bucketMs: 5 * MIN },
  { hours: 6, label: "6 h", bucketMs: 15 * MIN },
  { hours: 24, label: "24 h", bucketMs: HOUR },
  { hours: 168, label: "7 días", bucketMs: 6 * HOUR },
];

const DEFAULT_WINDOW = TIME_WINDOWS[2]!;

/** The window a `?horas=` value names, else the default. */
export function pickTimeWindow(hours: string | null): TimeWindow {
  return TIME_WINDOWS.find((w) => String(w.hours) === hours) ?? DEFAULT_WINDOW;
}

export interface DetectionTimeline {
  buckets: BarBucket[];
  /** error_types in order of first detection in the range. */
  series: string[];
  total: number;
}

/**
 * Buckets of `bucketMs` covering `fromMs..toMs` (aligned on the bucket size, the last one holding `toMs`), with
 * the detections of `elements` that fall inside.
 */
export function buildDetectionTimeline(elements: readonly unknown[], fromMs: number, toMs: number, bucketMs: number): DetectionTimeline {
  const first = Math.floor(fromMs / bucketMs) * bucketMs;
  const count = Math.max(1, Math.floor(toMs / bucketMs) - Math.floor(fromMs / bucketMs) + 1);
  const values: Array<Record<string, number>> = Array.from({ length: count }, () => ({}));
  const series: string[] = [];
  let total = 0;
  for (const raw of elements) {
    const el = raw as { timestamp?: unknown; error_type?: unknown } | null;
    const atMs = typeof el?.timestamp === "string" ? Date.parse(el.timestamp) : NaN;
    if (!(atMs >= fromMs && atMs <= toMs)) continue;
    const type = typeof el!.error_type === "string" ? el!.error_type : "(desconocido)";
    if (!series.includes(type)) series.push(type);
    const slot = values[Math.min(count - 1, Math.floor((atMs - first) / bucketMs))]!;
    slot[type] = (slot[type] ?? 0) + 1;
    total++;
  }
  const withDay = count * bucketMs > 24 * HOUR;
  const buckets = values.map((v, i) => ({ label: formatBucketLabel(first + i * bucketMs, withDay), values: v }));
  return { buckets, series, total };
}

/** `14:05`, or `07/12 14h` when the window spans days. */
function formatBucketLabel(ms: number, withDay: boolean): string {
  const iso = formatLocalIso(ms);
  return withDay ? `${iso.slice(8, 10)}/${iso.slice(5, 7)} ${iso.slice(11, 13)}h` : iso.slice(11, 16);
}

/** A bucket size that gives a readable number of bars (≤ ~48) for a span, for the report. */
export function chooseBucketMs(spanMs: number): number {
  const sizes = [MIN, 5 * MIN, 15 * MIN, HOUR, 6 * HOUR, 24 * HOUR, 7 * 24 * HOUR];
  return sizes.find((s) => spanMs / s <= 48) ?? sizes[sizes.length - 1]!;
}
