import { formatSummaryTable } from "../../incidents/summarize-incidents.js";
import { buildReport, type JournalElement } from "../../report/build-report.js";
import { escapeHtmlCut, TELEGRAM_MAX_TEXT } from "../escape-html.js";
import { joinLinesWithin } from "./join-lines-within.js";

/** `/informe`: `vigia report`'s summary of the live journal — the error_type × estado table and its recommendations. */
export function formatInforme(journalPath: string, elements: readonly unknown[]): string {
  const report = buildReport({ journalPath, elements: elements as readonly JournalElement[], sources: [], checkRuns: [] });
  const lines = [
    `📊 <b>Informe</b> del diario <code>${escapeHtmlCut(journalPath, 300)}</code>`,
    report.total === 0 ? "Ningún incidente registrado." : `<pre>${escapeHtmlCut(formatSummaryTable(report), 2500)}</pre>`,
  ];
  if (report.recommendations.length > 0) {
    lines.push("<b>Recomendaciones</b>:");
    for (const r of report.recommendations) lines.push(`• ${escapeHtmlCut(r, 400)}`);
  }
  lines.push("Informe completo: <code>vigia report</code>");
  return joinLinesWithin(lines, TELEGRAM_MAX_TEXT, { head: 2 });
}
