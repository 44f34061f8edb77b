/**
 * HTML pieces both the dashboard and `report --html` show (Spanish, admin surface): the error_type × estado table
 * with fix rate and time to fix, the legend of a stacked chart, an estado badge. Every value is escaped here.
 */
import { escapeHtml } from "../../notify/escape-html.js";
import { formatDurationMs } from "../../util/format-duration-ms.js";
import type { IncidentSummary } from "../../incidents/summarize-incidents.js";
import { PALETTE_SIZE } from "./svg-chart.js";
import { ESTADOS } from "../../types.js";


export const esc = escapeHtml;

/** `—` for a missing duration, else `850 ms`, `2 min 5 s`. */
export function showDuration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : formatDurationMs(ms);
}

/** `87,5 %` (Spanish decimal comma), `—` when there is nothing to divide. */
export function showPercent(ratio: number | null): string {
  return ratio === null ? "—" : `${(ratio * 100).toFixed(1).replace(".", ",")} %`;
}

export function renderEstadoBadge(estado: string): string {
  return `<span class="estado estado-${esc(estado)}">${esc(estado)}</span>`;
}

/** The legend of a stacked chart: one swatch per series, coloured like its bars. */
export function renderLegend(series: readonly string[]): string {
  if (series.length === 0) return "";
  return `<ul class="leyenda">${series.map((s, i) => `<li><span class="muestra serie-${i % PALETTE_SIZE}"></span>${esc(s)}</li>`).join("")}</ul>`;
}

/** A row per error_type: counts by estado, fix rate (with a bar), mean and median time to fix. */
export function renderTypeTable(summary: IncidentSummary): string {
  const types = Object.keys(summary.byType);
  if (types.length === 0) return `<p class="vacio">Ningún incidente en este periodo.</p>`;
  const head = `<tr><th>tipo de error</th>${ESTADOS.map((e) => `<th class="num">${e}</th>`).join("")}<th class="num">total</th><th>éxito</th><th class="num">media</th><th class="num">mediana</th></tr>`;
  const rows = types.map((type) => {
    const counts = summary.byType[type]!;
    const fix = summary.fixByType[type]!;
    const total = ESTADOS.reduce((a, e) => a + counts[e], 0);
    return `<tr data-tipo="${esc(type)}"><td>${esc(type)}</td>${ESTADOS.map((e) => `<td class="num" data-estado="${e}">${counts[e]}</td>`).join("")}<td class="num">${total}</td><td>${renderRateBar(fix.successRate)}</td><td class="num">${showDuration(fix.meanTimeToFixMs)}</td><td class="num">${showDuration(fix.medianTimeToFixMs)}</td></tr>`;
  });
  const totalRow = `<tr class="total"><td>total</td>${ESTADOS.map((e) => `<td class="num">${summary.byEstado[e]}</td>`).join("")}<td class="num">${summary.total}</td><td>${renderRateBar(summary.successRate)}</td><td class="num">${showDuration(summary.meanTimeToFixMs)}</td><td class="num">${showDuration(summary.medianTimeToFixMs)}</td></tr>`;
  return `<div class="tabla"><table><thead>${head}</thead><tbody>${rows.join("")}${totalRow}</tbody></table></div>`;
}

/** A fix rate as text over a small bar (solucionados / cerrados). */
function renderRateBar(ratio: number | null): string {
  if (ratio === null) return `<span class="tasa">—</span>`;
  // An SVG attribute, not a style attribute: the dashboard's Content-Security-Policy allows no inline styles.
  const bar = `<svg class="barra-tasa" viewBox="0 0 100 6" aria-hidden="true"><rect class="fondo" width="100" height="6"/><rect class="relleno" width="${Math.round(ratio * 100)}" height="6"/></svg>`;
  return `<span class="tasa">${bar}${showPercent(ratio)}</span>`;
}
