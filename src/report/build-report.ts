/**
 * Everything `vigia report` shows, computed once from the journal (and, when there is a config, the source logs
 * and the check history); the text, JSON and HTML forms only lay it out.
 */
import { listTopUnknownTemplates, type UnknownErrorsOverview } from "../discover/list-top-unknown-templates.js";
import type { UnknownTemplate } from "../discover/unknown-error-store.js";
import { formatLocalIso } from "../incidents/format-local-iso.js";
import { summarizeIncidents, type IncidentSummary } from "../incidents/summarize-incidents.js";
import type { CheckRecord } from "../observe/check-history.js";
import { summarizeCheckHistory, type CheckSummary } from "../observe/summarize-check-history.js";
import type { LogLevelTotals } from "./count-log-levels.js";
import { recommendActions } from "./recommend-actions.js";

export interface JournalElement {
  timestamp?: string;
  error_type?: string;
  estado?: string;
  id?: string;
  duracion_ms?: number | null;
  modelo?: string | null;
  video?: string | null;
}

interface SlowFix {
  id: string | undefined;
  error_type: string | undefined;
  duracion_ms: number | null | undefined;
  modelo: string | null;
  video: string | null;
}

export interface Report extends IncidentSummary {
  journal: string;
  /** Archive files read besides the journal (`--all`, `--since`); empty when only the live journal was. */
  archives: string[];
  /** `--since`: the first instant kept (ISO 8601, UTC), or null for every incident of the files read. */
  since: string | null;
  slowest: SlowFix[];
  /** Detections per minute (short spans) or per hour, in local time: `2025-12-25T14:30`. */
  timeline: Array<{ bucket: string; count: number }>;
  /** Error and warning lines per source log (the config's sources); empty without a config. */
  sources: LogLevelTotals[];
  /** Uptime and latency per check from the stored history; empty without one. */
  checks: CheckSummary[];
  recommendations: string[];
  /** The error templates no rule claims (`desconocidos.json` beside the journal), most frequent first. */
  unknownErrors: UnknownErrorsOverview;
}

export interface ReportInput {
  journalPath: string;
  archivePaths?: readonly string[];
  /** The window's start (`--since`), when the elements were kept from it on. */
  sinceMs?: number;
  elements: readonly JournalElement[];
  sources: LogLevelTotals[];
  checkRuns: readonly CheckRecord[];
  unknownTemplates?: readonly UnknownTemplate[];
}

export function buildReport(input: ReportInput): Report {
  const { elements } = input;
  const summary = summarizeIncidents(elements, { topKeys: 10 });
  const slowest = elements
    .filter((e) => e.estado === "solucionado" && typeof e.duracion_ms === "number")
    .sort((a, b) => (b.duracion_ms ?? 0) - (a.duracion_ms ?? 0))
    .slice(0, 5)
    .map((e) => ({ id: e.id, error_type: e.error_type, duracion_ms: e.duracion_ms, modelo: e.modelo ?? null, video: e.video ?? null }));
  const checks = summarizeCheckHistory(input.checkRuns);
  return {
    journal: input.journalPath,
    archives: [...(input.archivePaths ?? [])],
    since: input.sinceMs !== undefined && Number.isFinite(input.sinceMs) ? new Date(input.sinceMs).toISOString() : null,
    ...summary,
    slowest,
    timeline: buildTimeline(elements),
    sources: input.sources,
    checks,
    recommendations: recommendActions(elements, summary, checks),
    unknownErrors: listTopUnknownTemplates(input.unknownTemplates ?? []),
  };
}

/** `2025-12-25T14:30` (or `2025-12-25T14`) in local time, like the journal's timestamps (same prefix for jq). */
function formatLocalBucket(ms: number, minutes: boolean): string {
  return formatLocalIso(ms).slice(0, minutes ? 16 : 13);
}

/** Detections per minute (spans up to 3 h) or per hour. */
function buildTimeline(elements: readonly JournalElement[]): Array<{ bucket: string; count: number }> {
  const times = elements.map((e) => Date.parse(e.timestamp ?? "")).filter((t) => Number.isFinite(t));
  if (times.length === 0) return [];
  const span = Math.max(...times) - Math.min(...times);
  const bucketMs = span <= 3 * 3_600_000 ? 60_000 : 3_600_000;
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / bucketMs) * bucketMs;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, count]) => ({ bucket: formatLocalBucket(b, bucketMs === 60_000), count }));
}
