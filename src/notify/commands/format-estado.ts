import type { TrackedIncident } from "../../incidents/create-incident.js";
import type { HealthReport } from "../../observe/health-report.js";
import { escapeHtmlCut, TELEGRAM_MAX_TEXT } from "../escape-html.js";
import { formatDurationMs } from "../../util/format-duration-ms.js";
import { describeEstado } from "../format-incident-message.js";
import { joinLinesWithin } from "./join-lines-within.js";
import type { Silence } from "./silence-store.js";

/** Most open incidents listed one by one; the rest are counted. */
const MAX_INCIDENT_LINES = 10;
const MAX_VALUE_CHARS = 200;

export interface EstadoInput {
  health: HealthReport;
  open: readonly TrackedIncident[];
  silences: readonly Silence[];
  nowMs: number;
}

/** `/estado`: how vigia is, its open incidents, checks, sources and silences (Telegram HTML, within 4096 chars). */
export function formatEstado({ health, open, silences, nowMs }: EstadoInput): string {
  const status = health.status === "ok" ? "✅ todo en orden" : health.status === "degraded" ? "⚠️ degradado" : `⏳ ${health.status === "starting" ? "arrancando" : "deteniéndose"}`;
  const lines = [
    `📋 <b>Estado de vigia</b>: ${status}`,
    `activo desde hace ${formatDurationMs(health.uptime_s * 1000)} · ${health.rules.loaded} reglas · versión ${escapeHtmlCut(health.version, 40)}`,
    "",
    `<b>Incidentes abiertos</b>: ${open.length}`,
  ];
  const newestFirst = [...open].sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  for (const i of newestFirst.slice(0, MAX_INCIDENT_LINES)) {
    const subject = [i.modelo, i.video].filter(Boolean).join("/");
    lines.push(`• <code>${escapeHtmlCut(i.id, 80)}</code> ${escapeHtmlCut(i.error_type, 60)} · ${escapeHtmlCut(describeEstado(i), 120)}${subject ? ` · ${escapeHtmlCut(subject, 120)}` : ""}`);
  }
  if (open.length > MAX_INCIDENT_LINES) lines.push(`… y ${open.length - MAX_INCIDENT_LINES} más`);
  lines.push("", `<b>Comprobaciones</b>: ${health.checks.length === 0 ? "ninguna configurada" : ""}`.trimEnd());
  for (const c of health.checks) lines.push(`${c.ok ? "✅" : "❌"} ${escapeHtmlCut(c.check, 60)} — <code>${escapeHtmlCut(c.motivo, MAX_VALUE_CHARS)}</code>`);
  lines.push("", `<b>Fuentes</b>: ${health.sources.length === 0 ? "ninguna seguida" : ""}`.trimEnd());
  for (const s of health.sources) lines.push(describeSource(s, nowMs));
  if (health.journal && !health.journal.ok) lines.push("", `❌ <b>el diario no se puede escribir</b>: ${health.journal.unwritten} incidente(s) solo en memoria`);
  if (silences.length > 0) {
    lines.push("", "<b>Silencios</b>:");
    for (const s of silences) lines.push(`🔕 ${escapeHtmlCut(s.error_type, 60)} hasta ${escapeHtmlCut(s.hasta.slice(0, 16).replace("T", " "), 20)}`);
  }
  return joinLinesWithin(lines, TELEGRAM_MAX_TEXT, { head: 4 });
}

function describeSource(s: HealthReport["sources"][number], nowMs: number): string {
  const name = `${escapeHtmlCut(s.name, 60)} <code>${escapeHtmlCut(s.path, MAX_VALUE_CHARS)}</code>`;
  if (s.exists === false) return `❌ ${name}: no existe (se espera a que aparezca)`;
  const lastMs = s.last_line_at ? Date.parse(s.last_line_at) : NaN;
  const last = Number.isFinite(lastMs) ? `última línea hace ${formatDurationMs(Math.max(0, nowMs - lastMs))}` : "sin líneas nuevas aún";
  const lag = s.lag_bytes > 0 ? ` · ${s.lag_bytes} bytes por leer` : "";
  return `✅ ${name}: ${last}${lag}`;
}
