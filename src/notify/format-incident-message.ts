import type { CompiledRule, Estado, Incident, Severity } from "../types.js";
import { fillTemplate } from "../util/template.js";
import { escapeHtml, escapeHtmlCut, TELEGRAM_MAX_TEXT } from "./escape-html.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import { findRootCause } from "./root-cause.js";

/** Icon shown first in every alert, by severity. */
export const SEVERITY_ICONS: Readonly<Record<Severity, string>> = { info: "ℹ️", warning: "⚠️", critical: "🚨" };

/** The header of every incident alert, as the admin knows it from the system vigia replaces. */
const ALERT_HEADER = "Monitor de Descargas";

/** What the admin reads first, per error type, in the seed's words ("Error de timeout detectado"). */
const DETECTED_SENTENCES: Readonly<Record<string, string>> = {
  timeout: "Error de timeout detectado",
  ruta_inexistente: "Error de ruta inexistente detectado",
  permisos: "Error de permisos detectado",
  corrupto: "Archivo corrupto detectado",
  disco_lleno: "Disco lleno detectado",
  servidor_caido: "Servidor caído detectado",
};

/** The first sentence of an alert: the seed's for its six types, the same form for any other rule. */
export function describeDetection(errorType: string): string {
  return DETECTED_SENTENCES[errorType] ?? `Error de ${errorType} detectado`;
}

/** Shown for a template field that has no value (null, or not captured). */
const MISSING_FIELD_TEXT = "—";

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

/**
 * What is being done, in the seed's voice: "Reintentando automáticamente…" while vigia works on it, then how it
 * ended ("✅ Solucionado automáticamente en 7 s"). `rule` tells, at detection, whether anything will be tried.
 */
export function describeProgress(incident: Incident, rule: Pick<CompiledRule, "actions" | "resolveOn"> | null): string {
  const attempt = `${incident.intento}/${incident.max_intentos}`;
  switch (incident.estado) {
    case "detectado":
      if (!rule || rule.actions.length > 0) return "Reintentando automáticamente…";
      return rule.resolveOn ? "Esperando a que el bot lo reintente…" : "Solo aviso: sin corrección automática";
    case "pendiente":
      // The fix itself (attempt 0) runs in pendiente too; waiting for a root cause says so in its detalle.
      return isWaitingForRootCause(incident) ? "⏸ En espera: primero se resuelve la causa raíz" : "Reintentando automáticamente…";
    case "reintentando":
      return `Reintentando automáticamente… (reintento ${attempt})`;
    case "solucionado":
      return incident.duracion_ms === null
        ? "✅ Solucionado automáticamente"
        : `✅ Solucionado automáticamente en ${formatDurationMs(incident.duracion_ms)}`;
    case "fallido": {
      const root = findRootCause(incident);
      if (root) return `❌ Fallido por la causa raíz ${root.errorType} ${root.incidentId}`.replace(/ {2,}/g, " ");
      return "❌ No se pudo corregir: necesita intervención";
    }
  }
}

/** True when a `pendiente` incident waits for its root cause, rather than running its fix (attempt 0). */
function isWaitingForRootCause(incident: Incident): boolean {
  return incident.intento !== 0 || incident.transiciones.at(-1)?.detalle?.startsWith("esperando causa raíz") === true;
}

/** Why the incident is where it is: the `detalle` of its last step (`ruta rechazada (outside_roots): …`), or null. */
function findOutcomeDetail(incident: Incident): string | null {
  return incident.transiciones.at(-1)?.detalle ?? null;
}

/** `2025-12-25 14:30:20`: the detection time as the journal records it (vigia's local time), without the offset. */
function formatDetectionTime(timestamp: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(timestamp) ? timestamp.slice(0, 19).replace("T", " ") : timestamp;
}

/** The state as the admin reads it: "⏳ reintento 2/3", "✅ solucionado automáticamente en 7 s". */
export function describeEstado(incident: Incident): string {
  const byEstado: Record<Estado, () => string> = {
    detectado: () => "🆕 detectado",
    pendiente: () => (isWaitingForRootCause(incident) ? "⏸ pendiente (espera a la causa raíz)" : "🔧 aplicando la corrección"),
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
  fields.cabecera = ALERT_HEADER;
  fields.deteccion = describeDetection(incident.error_type);
  fields.progreso = describeProgress(incident, rule);
  fields.hora = formatDetectionTime(incident.timestamp);
  const detail = findOutcomeDetail(incident);
  if (detail) fields.motivo = detail;
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
  // The seed's layout: header, its sentence for the type, Modelo/Video, then what is being done; ours adds the
  // time, the action with its reason (a refused path says why), the key line and the incident's id.
  const lines = [`${SEVERITY_ICONS[incident.severidad]} <b>${ALERT_HEADER}</b>`, "", escapeHtmlCut(describeDetection(incident.error_type), MAX_FIELD_CHARS)];
  if (incident.modelo) lines.push(`Modelo: <code>${escapeHtmlCut(incident.modelo, MAX_FIELD_CHARS)}</code>`);
  if (incident.video) lines.push(`Video: <code>${escapeHtmlCut(incident.video, MAX_FIELD_CHARS)}</code>`);
  lines.push(`Hora: ${escapeHtml(formatDetectionTime(incident.timestamp))}`);
  lines.push(escapeHtml(describeProgress(incident, rule)));
  if (incident.accion) lines.push(`Acción: ${escapeHtmlCut(incident.accion, MAX_FIELD_CHARS)}`);
  const detail = findOutcomeDetail(incident);
  if (detail) lines.push(`${incident.estado === "fallido" ? "Motivo" : "Detalle"}: ${escapeHtmlCut(detail, MAX_FIELD_CHARS)}`);
  const keyLine = extractKeyLine(incident.error_message);
  if (keyLine) lines.push(`<pre>${escapeHtmlCut(keyLine, MAX_KEY_LINE_CHARS)}</pre>`);
  // Rule id and journal state as the journal writes them: what the admin greps or passes to jq.
  const counts = [incident.estado, `intento ${incident.intento}/${incident.max_intentos}`];
  if (incident.ocurrencias > 1) counts.push(`ocurrencias ${incident.ocurrencias}`);
  lines.push(`${escapeHtmlCut(incident.error_type, MAX_FIELD_CHARS)} · ${counts.join(" · ")} · id: <code>${escapeHtmlCut(incident.id, MAX_FIELD_CHARS)}</code>`);
  return lines.join("\n");
}
