import { escapeHtmlCut } from "../notify/escape-html.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import type { NewErrorAlert } from "./unknown-error-store.js";

/** The admin's alert for a template that reached its threshold (Spanish, Telegram HTML, well under 4096 chars). */
export function formatNewErrorMessage({ template, count, withinMs }: NewErrorAlert): string {
  const sample = template.ejemplos.at(-1) ?? template.plantilla;
  return [
    `🆕 <b>error nuevo no previsto</b>: ${escapeHtmlCut(template.plantilla.split("\n").join(" … "), 600)} × ${count} en ${formatDurationMs(withinMs)}`,
    `fuentes: ${escapeHtmlCut(template.fuentes.join(", "), 200)} · plantilla ${template.id}`,
    `<pre>${escapeHtmlCut(sample, 2000)}</pre>`,
    "Ninguna regla lo reconoce: <code>vigia suggest-rules</code> propone una.",
  ].join("\n");
}
