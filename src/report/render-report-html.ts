/**
 * `vigia report --html FILE`: the report as one self-contained page (Spanish) — the dashboard's stylesheet and
 * SVG charts inline, no script, and a Content-Security-Policy that forbids loading anything, so the archived file
 * opens offline and can never call home.
 */
import { formatLocalIso } from "../incidents/format-local-iso.js";
import { buildDetectionTimeline, chooseBucketMs } from "../observe/dashboard/detection-timeline.js";
import { DASHBOARD_CSS } from "../observe/dashboard/dashboard-style.js";
import { esc, renderLegend, renderTypeTable, showDuration, showPercent } from "../observe/dashboard/render-parts.js";
import { renderStackedBars } from "../observe/dashboard/svg-chart.js";
import { renderUnknownTemplates } from "../observe/dashboard/render-unknown-templates.js";
import type { JournalElement, Report } from "./build-report.js";

const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function renderReportHtml(report: Report, elements: readonly JournalElement[], generatedAtMs: number): string {
  const times = elements.map((e) => Date.parse(e.timestamp ?? "")).filter((t) => Number.isFinite(t));
  const sections: string[] = [];
  const rate = showPercent(report.successRate);
  sections.push(
    `<section class="ancha"><div class="cifras">` +
      [
        ["incidentes", String(report.total)],
        ["solucionados", String(report.fixed)],
        ["fallidos", String(report.failed)],
        ["abiertos", String(report.open)],
        ["éxito", rate],
        ["mediana hasta solucionar", showDuration(report.medianTimeToFixMs)],
      ]
        .map(([name, value]) => `<div class="cifra"><span class="valor">${esc(value!)}</span><span class="nombre">${esc(name!)}</span></div>`)
        .join("") +
      `</div></section>`,
  );
  sections.push(`<section class="ancha" id="tipos"><h2>Incidentes por tipo y estado, tasa de solución y tiempo hasta solucionar</h2>${renderTypeTable(report)}</section>`);
  if (times.length > 0) {
    const fromMs = Math.min(...times);
    const toMs = Math.max(...times);
    const bucketMs = chooseBucketMs(toMs - fromMs);
    const t = buildDetectionTimeline(elements, fromMs, toMs, bucketMs);
    const chart = renderStackedBars({ buckets: t.buckets, series: t.series, label: "Detecciones por tipo de error" });
    sections.push(`<section class="ancha" id="detecciones"><h2>Cronología de detecciones <span class="contador" data-detecciones="${t.total}">${t.total}</span></h2>${chart}${renderLegend(t.series)}</section>`);
  }
  sections.push(renderTable("lentos", "Arreglos más lentos", ["tiempo", "tipo", "id", "modelo / vídeo"], report.slowest.map((s) => [showDuration(s.duracion_ms ?? null), s.error_type ?? "", s.id ?? "", [s.modelo, s.video].filter(Boolean).join(" / ")]), [0]));
  sections.push(renderTable("claves", "Claves más frecuentes", ["repeticiones", "tipo", "clave", "incidentes"], report.topKeys.map((k) => [String(k.occurrences), k.errorType, k.key, String(k.incidents)]), [0, 3]));
  if (report.sources.length > 0) {
    sections.push(renderTable("logs", "Errores y avisos por log", ["fuente", "errores", "avisos", "líneas", "fichero"], report.sources.map((s) => [s.source, s.unreadable ? "—" : String(s.errors), s.unreadable ? "—" : String(s.warnings), s.unreadable ? `no se puede leer (${s.unreadable})` : String(s.lines), s.path]), [1, 2, 3]));
  }
  if (report.checks.length > 0) {
    sections.push(renderTable("comprobaciones", "Comprobaciones (historial)", ["comprobación", "disponibilidad", "p50", "p95", "máx.", "ejecuciones", "última"], report.checks.map((c) => [c.check, showPercent(c.uptime), showDuration(c.p50Ms), showDuration(c.p95Ms), showDuration(c.maxMs), String(c.runs), `${c.last.ok ? "arriba" : "caída"} · ${c.last.reason}`]), [1, 2, 3, 4, 5]));
  }
  sections.push(`<section class="ancha" id="desconocidos">${renderUnknownTemplates(report.unknownErrors)}</section>`);
  const recs = report.recommendations.length
    ? `<ul class="recomendaciones">${report.recommendations.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>`
    : `<p class="vacio">Ninguna: nada se repite ni falla lo bastante para sugerir un cambio.</p>`;
  sections.push(`<section class="ancha" id="recomendaciones"><h2>Recomendaciones</h2>${recs}</section>`);
  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>vigia · informe ${esc(formatLocalIso(generatedAtMs).slice(0, 16).replace("T", " "))}</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header class="cabecera"><h1>vigia · informe</h1><span class="sub">${esc(report.journal)} · generado el ${esc(formatLocalIso(generatedAtMs).slice(0, 19).replace("T", " "))}</span></header>
<main>
${sections.join("\n")}
</main>
</body>
</html>
`;
}

function renderTable(id: string, title: string, head: string[], rows: string[][], numeric: number[]): string {
  if (rows.length === 0) return `<section id="${id}" class="ancha"><h2>${esc(title)}</h2><p class="vacio">Nada que mostrar.</p></section>`;
  const cell = (text: string, i: number, tag: "td" | "th") => `<${tag}${numeric.includes(i) ? ' class="num"' : ""}>${esc(text)}</${tag}>`;
  return `<section id="${id}" class="ancha"><h2>${esc(title)}</h2><div class="tabla"><table><thead><tr>${head.map((h, i) => cell(h, i, "th")).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell(c, i, "td")).join("")}</tr>`).join("")}</tbody></table></div></section>`;
}
