import type { TrackedIncident } from "../../incidents/create-incident.js";
import { escapeHtml, escapeHtmlCut, TELEGRAM_MAX_TEXT } from "../escape-html.js";
import { describeDetection, describeEstado, extractKeyLine, SEVERITY_ICONS } from "../format-incident-message.js";
import { joinLinesWithin } from "./join-lines-within.js";

const MAX_STEP_CHARS = 400;
const MAX_FIELD_CHARS = 300;

/** `/incidente <id>`: what happened, then every step of its `transiciones` in order (Telegram HTML, within 4096 chars). */
export function formatIncidentStory(incident: TrackedIncident): string {
  const lines = [
    `${SEVERITY_ICONS[incident.severidad] ?? ""} <b>Incidente</b> <code>${escapeHtmlCut(incident.id, 80)}</code>`,
    escapeHtmlCut(describeDetection(incident.error_type), MAX_FIELD_CHARS),
    `Estado: ${escapeHtmlCut(describeEstado(incident), MAX_FIELD_CHARS)}`,
  ];
  if (incident.modelo) lines.push(`Modelo: <code>${escapeHtmlCut(incident.modelo, MAX_FIELD_CHARS)}</code>`);
  if (incident.video) lines.push(`Video: <code>${escapeHtmlCut(incident.video, MAX_FIELD_CHARS)}</code>`);
  lines.push(`Detectado: ${escapeHtml(formatClock(incident.timestamp, true))} · fuente ${escapeHtmlCut(incident.fuente, 60)} · ocurrencias ${incident.ocurrencias}`);
  const keyLine = extractKeyLine(incident.error_message);
  if (keyLine) lines.push(`<pre>${escapeHtmlCut(keyLine, 1000)}</pre>`);
  lines.push("<b>Historia</b>:");
  const head = lines.length;
  for (const t of incident.transiciones) {
    const parts = [formatClock(t.timestamp, false), t.estado];
    if (t.accion) parts.push(`· ${t.accion}`);
    if (t.detalle) parts.push(`— ${t.detalle}`);
    lines.push(escapeHtmlCut(parts.join(" "), MAX_STEP_CHARS));
  }
  return joinLinesWithin(lines, TELEGRAM_MAX_TEXT, { head });
}

/** `14:30:20`, or `2025-12-25 14:30:20` with the date: a journal timestamp read as the admin's local time. */
function formatClock(timestamp: string, withDate: boolean): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(timestamp)) return timestamp;
  return withDate ? timestamp.slice(0, 19).replace("T", " ") : timestamp.slice(11, 19);
}
