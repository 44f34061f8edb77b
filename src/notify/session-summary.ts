import { ESTADOS, type Incident } from "../types.js";
import { escapeHtml, escapeHtmlCut, TELEGRAM_MAX_TEXT } from "./escape-html.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import { summarizeIncidents } from "../incidents/summarize-incidents.js";
import type { IncidentCounts } from "../incidents/session-tally.js";

export type { IncidentCounts } from "../incidents/session-tally.js";


/** Counts incidents by error_type × estado: the journal summary's counting, kept to the fields a summary shows. */
export function countIncidents(incidents: readonly Incident[]): IncidentCounts {
  const { total, fixed, failed, open, byType } = summarizeIncidents(incidents, { topKeys: 0 });
  return { total, fixed, failed, open, byType };
}

/** The session's incidents (not the whole journal): the incidents themselves, or their counts (SessionTally). */
export type SessionSummaryInput = ({ incidents: readonly Incident[] } | { counts: IncidentCounts }) & {
  startedAtMs: number;
  endedAtMs: number;
};

/** The session summary in two forms: `text` for the console, `html` for Telegram; `counts` for the webhook. */
export interface SessionSummary {
  text: string;
  html: string;
  counts: IncidentCounts;
  durationMs: number;
}

/** Most error types listed in the table; the rest are summed into one row. */
const MAX_ROWS = 40;

/** Formats the summary printed and sent at graceful stop: duration, fixed vs failed, and the error_type × estado table. */
export function formatSessionSummary(input: SessionSummaryInput): SessionSummary {
  const counts = "counts" in input ? input.counts : countIncidents(input.incidents);
  const durationMs = Math.max(0, input.endedAtMs - input.startedAtMs);
  const closed = counts.fixed + counts.failed;
  const rate = closed ? ` (${Math.round((counts.fixed / closed) * 100)} % resueltos solos)` : "";
  const head = [
    `vigia: resumen de la sesión (${formatDurationMs(durationMs)})`,
    `incidentes: ${counts.total} · solucionados: ${counts.fixed} · fallidos: ${counts.failed} · en curso: ${counts.open}${rate}`,
  ];
  const table = formatTable(counts);
  const text = [...head, ...(counts.total ? ["", table] : [])].join("\n");
  const preBudget = TELEGRAM_MAX_TEXT - 200;
  const html = [
    `📊 <b>${escapeHtml(head[0]!)}</b>`,
    `✅ ${counts.fixed} solucionados · ❌ ${counts.failed} fallidos · ⏳ ${counts.open} en curso · total ${counts.total}${escapeHtml(rate)}`,
    ...(counts.total ? [`<pre>${escapeHtmlCut(table, preBudget)}</pre>`] : []),
  ].join("\n");
  return { text, html, counts, durationMs };
}

/** A fixed-width table: one row per error_type (most incidents first), one column per estado. */
function formatTable(counts: IncidentCounts): string {
  const header = ["error_type", ...ESTADOS];
  let rows = Object.entries(counts.byType)
    .map(([type, byEstado]) => ({ type, byEstado, total: ESTADOS.reduce((a, e) => a + byEstado[e], 0) }))
    .sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
  if (rows.length > MAX_ROWS) {
    const rest = rows.slice(MAX_ROWS - 1);
    const merged = { detectado: 0, pendiente: 0, reintentando: 0, solucionado: 0, fallido: 0 };
    for (const r of rest) for (const e of ESTADOS) merged[e] += r.byEstado[e];
    rows = [...rows.slice(0, MAX_ROWS - 1), { type: `(${rest.length} más)`, byEstado: merged, total: 0 }];
  }
  const cells = [header, ...rows.map((r) => [r.type, ...ESTADOS.map((e) => String(r.byEstado[e]))])];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c) => c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd())
    .join("\n");
}
