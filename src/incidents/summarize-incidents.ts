import { ESTADOS, type Estado } from "../types.js";
import { formatDurationMs } from "../util/format-duration-ms.js";


/** Counts by error_type × estado and how well remediation did; for the session summary and `vigia report`. */
export interface IncidentSummary {
  total: number;
  byEstado: Record<Estado, number>;
  /** error_type → estado → count; error types in order of first appearance. */
  byType: Record<string, Record<Estado, number>>;
  fixed: number;
  failed: number;
  /** Not yet in a final state. */
  open: number;
  /** fixed / (fixed + failed); null when nothing is closed. */
  successRate: number | null;
  /** Of `duracion_ms` of solucionado incidents; null when there are none. */
  meanTimeToFixMs: number | null;
  medianTimeToFixMs: number | null;
  /** error_type → fix rate and time to fix of that type alone (same rules as the totals). */
  fixByType: Record<string, { successRate: number | null; meanTimeToFixMs: number | null; medianTimeToFixMs: number | null }>;
  /** Matches folded into incidents (sum of `ocurrencias`). */
  occurrences: number;
  /** Keys with the most occurrences, most first (ties: earliest first). */
  topKeys: Array<{ key: string; errorType: string; incidents: number; occurrences: number }>;
  /** Journal elements that are not incidents (no known estado): counted, not summarised. */
  skipped: number;
}

function createEstadoCounts(): Record<Estado, number> {
  return { detectado: 0, pendiente: 0, reintentando: 0, solucionado: 0, fallido: 0 };
}

/** Summarises journal elements; tolerant of seed-system records lacking vigia's fields. */
export function summarizeIncidents(elements: readonly unknown[], options: { topKeys?: number } = {}): IncidentSummary {
  const byEstado = createEstadoCounts();
  const byType: Record<string, Record<Estado, number>> = {};
  const fixDurations: number[] = [];
  const fixDurationsByType = new Map<string, number[]>();
  const keys = new Map<string, { key: string; errorType: string; incidents: number; occurrences: number }>();
  let total = 0;
  let occurrences = 0;
  let skipped = 0;
  for (const raw of elements) {
    const el = raw as Record<string, unknown> | null;
    const estado = el?.estado as Estado;
    if (!el || typeof el !== "object" || !ESTADOS.includes(estado)) {
      skipped++;
      continue;
    }
    total++;
    const errorType = typeof el.error_type === "string" ? el.error_type : "(desconocido)";
    byEstado[estado]++;
    (byType[errorType] ??= createEstadoCounts())[estado]++;
    const n = typeof el.ocurrencias === "number" ? el.ocurrencias : 1;
    occurrences += n;
    if (estado === "solucionado" && typeof el.duracion_ms === "number") {
      fixDurations.push(el.duracion_ms);
      const list = fixDurationsByType.get(errorType);
      if (list) list.push(el.duracion_ms);
      else fixDurationsByType.set(errorType, [el.duracion_ms]);
    }
    const key = typeof el.clave === "string" ? el.clave : errorType;
    const k = keys.get(key) ?? { key, errorType, incidents: 0, occurrences: 0 };
    k.incidents++;
    k.occurrences += n;
    keys.set(key, k);
  }
  const fixed = byEstado.solucionado;
  const failed = byEstado.fallido;
  fixDurations.sort((a, b) => a - b);
  const fixByType: IncidentSummary["fixByType"] = {};
  for (const [type, counts] of Object.entries(byType)) {
    const durations = (fixDurationsByType.get(type) ?? []).sort((a, b) => a - b);
    const closed = counts.solucionado + counts.fallido;
    fixByType[type] = {
      successRate: closed > 0 ? counts.solucionado / closed : null,
      meanTimeToFixMs: computeMean(durations),
      medianTimeToFixMs: computeMedian(durations),
    };
  }
  return {
    total,
    byEstado,
    byType,
    fixed,
    failed,
    open: total - fixed - failed,
    successRate: fixed + failed > 0 ? fixed / (fixed + failed) : null,
    meanTimeToFixMs: computeMean(fixDurations),
    medianTimeToFixMs: computeMedian(fixDurations),
    fixByType,
    occurrences,
    topKeys: [...keys.values()]
      .sort((a, b) => b.occurrences - a.occurrences)
      .slice(0, options.topKeys ?? 10),
    skipped,
  };
}

function computeMean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Median of an ascending list. */
function computeMedian(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}


/** A plain-text table for the terminal: one row per error_type, one column per estado, then the totals. */
export function formatSummaryTable(summary: IncidentSummary): string {
  const header = ["error_type", ...ESTADOS, "total"];
  const rows: string[][] = Object.entries(summary.byType).map(([type, counts]) => [
    type,
    ...ESTADOS.map((e) => String(counts[e])),
    String(ESTADOS.reduce((a, e) => a + counts[e], 0)),
  ]);
  rows.push(["total", ...ESTADOS.map((e) => String(summary.byEstado[e])), String(summary.total)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const formatRow = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const rate = summary.successRate === null ? "-" : `${(summary.successRate * 100).toFixed(1)} %`;
  return [
    formatRow(header),
    rule,
    ...rows.slice(0, -1).map(formatRow),
    rule,
    formatRow(rows[rows.length - 1]!),
    "",
    `solucionados: ${summary.fixed}  fallidos: ${summary.failed}  abiertos: ${summary.open}  éxito: ${rate}`,
    `tiempo hasta solucionado: media ${formatOptionalDurationMs(summary.meanTimeToFixMs)}, mediana ${formatOptionalDurationMs(summary.medianTimeToFixMs)}`,
  ].join("\n");
}

/** A mean or median that may not exist (no incident solved yet): `-` then. */
export function formatOptionalDurationMs(ms: number | null): string {
  return ms === null ? "-" : formatDurationMs(ms);
}
