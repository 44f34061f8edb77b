import type { CompiledRule, Estado, Incident, Severity } from "../types.js";
import { fillTemplate } from "../util/template.js";
import { escapeHtml, escapeHtmlCut, TELEGRAM_MAX_TEXT } from "./escape-html.js";
import { formatDurationMs } from "./format-duration.js";
import { findRootCause } from "./root-cause.js";

/** Icon shown first in every alert, by severity. */
export const SEVERITY_ICONS: Readonly<Record<Severity, string>> = { info: "ℹ️", warning: "⚠️", critical: "🚨" };

/** Shown for a template field that has no value (null, or not captured). */
export const MISSING_FIELD_TEXT = "—";

/** Longest key line in the default layout; the full text is in the journal. */
const MAX_KEY_LINE_CHARS = 1500;
/** Longest modelo / video / accion value shown. */
const MAX_FIELD_CHARS = 300;

/** `name_1  | ` prefixes that docker compose puts before every line of a container's output. */
const COMPOSE_PREFIX = /^[\w.-]+\s+\|\s?/;
/** Traceback scaffolding that never says what went wrong by itself. */
const TRACEBACK_MARKER = /^(Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause)/;

/**
 * The line that says what went wrong. One line: that line. Several (a Python traceback): the last non-empty line,
 * i.e. the exception (`FileNotFoundError: …`), skipping docker compose prefixes and traceback headers that a cut
 * event may end with.
 */
export function extractKeyLine(errorMessage: string): string {
  const lines = errorMessage
    .split(/\r?\n/)
    .map((l) => l.replace(COMPOSE_PREFIX, "").trim())
    .filter((l) => l !== "");
  const meaningful = lines.filter((l) => !TRACEBACK_MARKER.test(l));
  return meaningful[meaningful.length - 1] ?? lines[lines.length - 1] ?? "";
}

/** The state as the admin reads it: "⏳ reintento 2/3", "✅ solucionado automáticamente en 7 s". */
export function describeEstado(incident: Incident): string {
  const byEstado: Record<Estado, () => string> = {
    detectado: () => "🆕 detectado",
    pendiente: () =>
      incident.intento === 0 && !incident.transiciones.at(-1)?.detalle?.startsWith("esperando causa raíz")
        ? "🔧 aplicando la corrección"
        : "⏸ pendiente (espera a la causa raíz)",
    reintentando: () => `⏳ reintento ${incident.intento}/${incident.max_intentos}`,
    solucionado: () =>
      incident.duracion_ms === null
        ? "✅ solucionado automáticamente"
        : `✅ solucionado automáticamente en ${formatDurationMs(incident.duracion_ms)}`,
    fallido: () => {
      const root = findRootCause(incident);
      if (root) return `❌ fallido por causa raíz ${root.errorType} ${root.incidentId}`.replace(/ {2,}/g, " ");
      return "❌ fallido: necesita intervención";
    },
  };
  return byEstado[incident.estado]();
}

/** Values a `notify_template` can use: every capture, every scalar incident field, and a few derived ones. */
export function buildTemplateFields(incident: Incident, rule: CompiledRule): Record<string, string> {
  const fields: Record<string, string> = { ...incident.campos };
  for (const [name, value] of Object.entries(incident)) {
    if (typeof value === "string" || typeof value === "number") fields[name] = String(value);
  }
  fields.regla = rule.id;
  fields.icono = SEVERITY_ICONS[incident.severidad];
  fields.estado_texto = describeEstado(incident);
  fields.linea_clave = extractKeyLine(incident.error_message);
  if (incident.duracion_ms !== null) fields.duracion = formatDurationMs(incident.duracion_ms);
  if (rule.description) fields.descripcion = rule.description;
  return fields;
}

/**
 * The alert text for an incident, in Telegram HTML, at most 4096 characters. A rule's `notify_template` replaces
 * the default layout; its `{campo}` placeholders take the fields of `buildTemplateFields`, and the whole result is
 * escaped (templates are plain text: log values must never become markup).
 */
export function formatIncidentMessage(incident: Incident, rule: CompiledRule): string {
  if (rule.notifyTemplate) {
    const text = fillTemplate(rule.notifyTemplate, buildTemplateFields(incident, rule), () => MISSING_FIELD_TEXT);
    return escapeHtmlCut(text, TELEGRAM_MAX_TEXT);
  }
  const icon = SEVERITY_ICONS[incident.severidad];
  const lines = [`${icon} <b>${escapeHtmlCut(incident.error_type, MAX_FIELD_CHARS)}</b> · ${escapeHtml(describeEstado(incident))}`];
  const where: string[] = [];
  if (incident.modelo) where.push(`modelo: <code>${escapeHtmlCut(incident.modelo, MAX_FIELD_CHARS)}</code>`);
  if (incident.video) where.push(`video: <code>${escapeHtmlCut(incident.video, MAX_FIELD_CHARS)}</code>`);
  if (where.length) lines.push(where.join(" · "));
  const keyLine = extractKeyLine(incident.error_message);
  if (keyLine) lines.push(`<pre>${escapeHtmlCut(keyLine, MAX_KEY_LINE_CHARS)}</pre>`);
  if (incident.accion) lines.push(`acción: ${escapeHtmlCut(incident.accion, MAX_FIELD_CHARS)}`);
  lines.push(`intento: ${incident.intento}/${incident.max_intentos}`);
  if (incident.ocurrencias > 1) lines.push(`ocurrencias: ${incident.ocurrencias}`);
  lines.push(`id: <code>${escapeHtmlCut(incident.id, MAX_FIELD_CHARS)}</code>`);
  return lines.join("\n");
}
