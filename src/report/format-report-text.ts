/** `vigia report` for the terminal and `logs/analysis_*.txt`, all in Spanish (admin surface). */
import { formatOptionalDurationMs, formatSummaryTable } from "../incidents/summarize-incidents.js";
import { formatLocalWallClock } from "../incidents/format-local-iso.js";
import { basename } from "node:path";
import type { UnknownErrorsOverview } from "../discover/list-top-unknown-templates.js";
import type { Report } from "./build-report.js";

/** Section titles, also what the terminal prints in bold. */
export const TEXT_TITLES = [
  "Registro de incidentes:",
  "Arreglos más lentos:",
  "Claves más frecuentes:",
  "Cronología (detecciones):",
  "Errores y avisos por log:",
  "Comprobaciones (historial):",
  "Errores no previstos (sin regla):",
  "Recomendaciones:",
];

export function formatReportText(report: Report): string[] {
  const out = [`Registro de incidentes: ${report.journal}`];
  // What the figures below cover: the archives read with the live file (`--all`, `--since`), and the window kept.
  if (report.archives.length > 0) out.push(`Archivos leídos además del registro: ${report.archives.map((a) => basename(a)).join(", ")}`);
  if (report.since !== null) out.push(`Incidentes detectados desde ${formatLocalWallClock(report.since).slice(0, 16)}`);
  out.push("", formatSummaryTable(report), "");
  if (report.slowest.length > 0) {
    out.push("Arreglos más lentos:");
    for (const s of report.slowest) out.push(`  ${formatOptionalDurationMs(s.duracion_ms ?? null).padStart(8)}  ${s.error_type}  ${s.id}${s.video ? `  ${s.video}` : ""}`);
    out.push("");
  }
  if (report.topKeys.length > 0) {
    out.push("Claves más frecuentes:");
    for (const k of report.topKeys) out.push(`  ${String(k.occurrences).padStart(6)} × ${k.errorType}  ${k.key}  (${k.incidents} incidente(s))`);
    out.push("");
  }
  if (report.timeline.length > 0) {
    out.push("Cronología (detecciones):");
    const max = Math.max(...report.timeline.map((t) => t.count));
    for (const t of report.timeline) out.push(`  ${t.bucket}  ${"#".repeat(Math.max(1, Math.round((t.count / max) * 40)))} ${t.count}`);
    out.push("");
  }
  if (report.sources.length > 0) {
    out.push("Errores y avisos por log:");
    const width = Math.max(...report.sources.map((s) => s.source.length));
    for (const s of report.sources) {
      const counts = s.unreadable ? `no se puede leer (${s.unreadable})` : `${String(s.errors).padStart(6)} errores  ${String(s.warnings).padStart(6)} avisos  ${String(s.lines).padStart(8)} líneas`;
      out.push(`  ${s.source.padEnd(width)}  ${counts}  ${s.path}`);
    }
    out.push("");
  }
  if (report.checks.length > 0) {
    out.push("Comprobaciones (historial):");
    const width = Math.max(...report.checks.map((c) => c.check.length));
    for (const c of report.checks) {
      out.push(`  ${c.check.padEnd(width)}  disponibilidad ${(c.uptime * 100).toFixed(1).replace(".", ",").padStart(5)} %  p50 ${formatOptionalDurationMs(c.p50Ms)}  p95 ${formatOptionalDurationMs(c.p95Ms)}  ${c.runs} ejecuciones`);
    }
    out.push("");
  }
  if (report.unknownErrors.plantillas > 0) out.push(...formatUnknownErrors(report.unknownErrors), "");
  out.push("Recomendaciones:");
  if (report.recommendations.length === 0) out.push("  Ninguna: nada se repite ni falla lo bastante para sugerir un cambio.");
  for (const r of report.recommendations) out.push(`  - ${r}`);
  return out;
}

/** The templates no rule claims: count and template, first/last sight and sources, one sample (its first line). */
function formatUnknownErrors(u: UnknownErrorsOverview): string[] {
  const out = [`Errores no previstos (sin regla): ${u.plantillas} plantilla(s), ${u.eventos} evento(s)`];
  for (const t of u.top) {
    out.push(`  ${String(t.total).padStart(6)} × ${t.plantilla.split("\n").join(" … ")}`);
    out.push(`           primera vez ${formatLocalWallClock(t.primera_vez)} · última vez ${formatLocalWallClock(t.ultima_vez)} · fuentes: ${t.fuentes.join(", ")}`);
    out.push(`           ejemplo: ${t.ejemplo.split("\n")[0]}`);
  }
  if (u.plantillas > u.top.length) out.push(`  … y ${u.plantillas - u.top.length} plantilla(s) más`);
  out.push("  Una regla para cada una: vigia suggest-rules");
  return out;
}
