import { TOP_UNKNOWN_TEMPLATES } from "../../discover/list-top-unknown-templates.js";
import type { UnknownTemplate } from "../../discover/unknown-error-store.js";
import { formatLocalIso } from "../../incidents/format-local-iso.js";
import { escapeHtmlCut, TELEGRAM_MAX_TEXT } from "../escape-html.js";
import { joinLinesWithin } from "./join-lines-within.js";

/** `/desconocidos`: the unforeseen errors seen most (from `logs/desconocidos.json`), each with its template id. */
export function formatUnknownTemplates(templates: readonly UnknownTemplate[]): string {
  if (templates.length === 0) return "🆕 Ningún error sin regla registrado: todas las líneas de error tienen una regla que las reconoce.";
  const lines = [`🆕 <b>Errores no previstos</b> (sin regla, más frecuentes primero): ${templates.length}`];
  for (const t of templates.slice(0, TOP_UNKNOWN_TEMPLATES)) {
    const template = t.plantilla.split("\n").join(" … ");
    lines.push(
      `• × ${t.total} <code>${escapeHtmlCut(template, 300)}</code>\n  fuentes: ${escapeHtmlCut(t.fuentes.join(", "), 100)} · última vez ${formatLastSeen(t.ultima_vez)} · plantilla ${escapeHtmlCut(t.id, 20)}`,
    );
  }
  if (templates.length > TOP_UNKNOWN_TEMPLATES) lines.push(`… y ${templates.length - TOP_UNKNOWN_TEMPLATES} plantillas más`);
  lines.push("Una regla para cada una: <code>vigia suggest-rules</code>");
  return joinLinesWithin(lines, TELEGRAM_MAX_TEXT, { head: 1 });
}

/** The store keeps UTC; the admin reads local time, as in the journal. */
function formatLastSeen(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatLocalIso(ms).slice(0, 19).replace("T", " ") : "?";
}
