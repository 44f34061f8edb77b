/**
 * The errors no rule claims, as the dashboard and `report --html` list them (Spanish, admin surface): one row per
 * template with its count, first and last sight, sources and its latest sample. Every value is escaped; `redact`
 * masks secrets in the text taken from log lines.
 */
import { formatLocalWallClock } from "../../incidents/format-local-iso.js";
import type { UnknownErrorsOverview } from "../../discover/list-top-unknown-templates.js";
import { esc } from "./render-parts.js";

/** Longest sample shown in a cell: a traceback can be long, its head and exception line say what it is. */
const MAX_SAMPLE_CHARS = 600;

export function renderUnknownTemplates(overview: UnknownErrorsOverview, redact: (text: string) => string = (t) => t): string {
  const title = `<h2>Errores no previstos (sin regla) <span class="contador" data-desconocidos="${overview.plantillas}">${overview.plantillas}</span></h2>`;
  if (overview.top.length === 0) return `${title}<p class="vacio">Ningún error sin regla: todas las líneas de error tienen una regla que las reconoce.</p>`;
  const rows = overview.top.map(
    (t) =>
      `<tr data-plantilla="${esc(t.id)}"><td class="num" data-total="${t.total}">${t.total}</td><td class="mensaje">${esc(redact(t.plantilla))}</td><td>${esc(formatLocalWallClock(t.primera_vez))}</td><td>${esc(formatLocalWallClock(t.ultima_vez))}</td><td>${esc(t.fuentes.join(", "))}</td><td class="mensaje">${esc(cutSample(redact(t.ejemplo)))}</td></tr>`,
  );
  const more = overview.plantillas > overview.top.length ? `<p class="sub">… y ${overview.plantillas - overview.top.length} plantillas más.</p>` : "";
  return (
    `${title}<p class="sub">${overview.eventos} eventos de error que ninguna regla reconoce; <code>vigia suggest-rules</code> propone una regla para cada plantilla.</p>` +
    `<div class="tabla"><table><thead><tr><th class="num">veces</th><th>plantilla</th><th>primera vez</th><th>última vez</th><th>fuentes</th><th>ejemplo</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>${more}`
  );
}

function cutSample(text: string): string {
  return text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS - 1)}…` : text;
}
