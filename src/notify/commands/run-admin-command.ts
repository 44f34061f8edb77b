import { isTerminal } from "../../incidents/incident-state.js";
import { parseDurationMs } from "../../util/parse-duration.js";
import { escapeHtmlCut } from "../escape-html.js";
import { formatDurationMs } from "../../util/format-duration-ms.js";
import type { AdminView } from "./admin-view.js";
import { findIncident, type FoundIncident } from "./find-incident.js";
import { formatEstado } from "./format-estado.js";
import { formatIncidentStory } from "./format-incident-story.js";
import { formatInforme } from "./format-informe.js";
import { formatUnknownTemplates } from "./format-unknown-templates.js";
import type { ParsedCommand } from "./parse-command.js";
import { SILENCE_ALL } from "./silence-store.js";

/** What vigia answers the admin: Telegram HTML within 4096 characters. */
export type AdminReply = string;

/** An error_type or `todo` as the admin may type it: what rule ids look like. */
const TARGET_PATTERN = /^[\p{L}\p{N}_.-]{1,64}$/u;

/** The commands and the line `/ayuda` shows for each. */
const HELP_LINES = [
  "/estado — incidentes abiertos, comprobaciones y fuentes",
  "/incidente &lt;id&gt; — la historia de un incidente",
  "/silenciar &lt;error_type|todo&gt; &lt;duración&gt; — sin avisos de ese tipo (30m, 1h, 2d)",
  "/activar [error_type|todo] — quita un silencio (sin argumento: todos)",
  "/reintentar &lt;id&gt; — vuelve a ejecutar la corrección de un incidente",
  "/informe — resumen del diario de incidentes",
  "/desconocidos — errores que ninguna regla reconoce",
];

type Handler = (view: AdminView, args: readonly string[], nowMs: number) => Promise<AdminReply> | AdminReply;

const HANDLERS: Readonly<Record<string, Handler>> = {
  estado: (view, _args, nowMs) =>
    formatEstado({ health: view.getHealth(), open: view.listOpenIncidents(), silences: view.silences.list(), nowMs }),
  incidente: (view, args) => {
    if (args.length !== 1) return usage("/incidente &lt;id&gt;");
    const found = findIncident(view, args[0]!);
    return found.ok ? formatIncidentStory(found.incident) : describeNotFound(args[0]!, found);
  },
  silenciar: silence,
  activar: activate,
  reintentar: retry,
  informe: (view) => formatInforme(view.journalPath, view.listJournal()),
  desconocidos: (view) => formatUnknownTemplates(view.listUnknownTemplates()),
  ayuda: () => formatHelp(),
  start: () => formatHelp(),
  help: () => formatHelp(),
};

/** Runs one of the admin's commands (already authorised) and returns the reply. */
export async function runAdminCommand(view: AdminView, command: ParsedCommand, nowMs = Date.now()): Promise<AdminReply> {
  const handler = HANDLERS[command.name];
  if (!handler) return `No conozco /${escapeHtmlCut(command.name, 40)}.\n${formatHelp()}`;
  return handler(view, command.args, nowMs);
}

/** The list of commands. */
export function formatHelp(): AdminReply {
  return ["🤖 <b>Órdenes de vigia</b>", ...HELP_LINES].join("\n");
}

async function silence(view: AdminView, args: readonly string[]): Promise<AdminReply> {
  if (args.length !== 2) return usage("/silenciar &lt;error_type|todo&gt; &lt;duración&gt;, p. ej. /silenciar timeout 1h");
  const [target, durationText] = args as [string, string];
  if (!TARGET_PATTERN.test(target)) return `«${escapeHtmlCut(target, 64)}» no es un error_type.`;
  const durationMs = parseDurationMs(durationText);
  if (durationMs === null) return `«${escapeHtmlCut(durationText, 40)}» no es una duración: usa p. ej. 30m, 1h o 2d.`;
  const saved = await view.silences.silence(target, durationMs);
  const what = target === SILENCE_ALL ? "todos los avisos" : `los avisos de <b>${escapeHtmlCut(target, 64)}</b>`;
  const unknown = target !== SILENCE_ALL && view.findRule(target) === null ? "\n(ninguna regla cargada se llama así; el silencio vale igual para ese tipo)" : "";
  return `🔕 Silenciados ${what} durante ${formatDurationMs(durationMs)}, hasta ${saved.hasta.slice(0, 16).replace("T", " ")}.\nLos incidentes se siguen registrando y corrigiendo. /activar ${escapeHtmlCut(target, 64)} lo quita.${unknown}`;
}

async function activate(view: AdminView, args: readonly string[]): Promise<AdminReply> {
  if (args.length > 1) return usage("/activar [error_type|todo]");
  const target = args[0] ?? SILENCE_ALL;
  if (!TARGET_PATTERN.test(target)) return `«${escapeHtmlCut(target, 64)}» no es un error_type.`;
  const lifted = await view.silences.activate(target);
  if (lifted.length === 0) return `🔔 No había ningún silencio${target === SILENCE_ALL ? "" : ` de ${escapeHtmlCut(target, 64)}`}: los avisos ya llegan.`;
  return `🔔 Avisos activados de nuevo: ${lifted.map((t) => escapeHtmlCut(t, 64)).join(", ")}.`;
}

function retry(view: AdminView, args: readonly string[]): AdminReply {
  if (args.length !== 1) return usage("/reintentar &lt;id&gt;");
  const found = findIncident(view, args[0]!);
  if (!found.ok) return describeNotFound(args[0]!, found);
  const incident = found.incident;
  const id = `<code>${escapeHtmlCut(incident.id, 80)}</code>`;
  if (!isTerminal(incident.estado)) return `⏳ El incidente ${id} sigue abierto (${incident.estado}): vigia ya está trabajando en él.`;
  const rule = view.findRule(incident.error_type);
  if (!rule) return `La regla <b>${escapeHtmlCut(incident.error_type, 64)}</b> ya no está cargada: no hay corrección que reintentar.`;
  if (rule.actions.length === 0 && rule.verify === null) return `La regla <b>${escapeHtmlCut(rule.id, 64)}</b> no tiene corrección automática: solo avisa.`;
  const result = view.retryIncident(incident, rule, `pedido por el admin desde Telegram (incidente ${incident.id})`);
  if (!result.ok) {
    return `⏳ Ya hay un incidente abierto para ese mismo problema: <code>${escapeHtmlCut(result.incident.id, 80)}</code> (${result.incident.estado}).`;
  }
  const actions = rule.actions.map((a) => a.type).join(", ") || "solo verificación";
  const dry = view.dryRun ? "\n⚠️ modo dry-run: las acciones se anotan, no se ejecutan." : "";
  return `🔁 Reintentando ${id} como incidente nuevo <code>${escapeHtmlCut(result.incident.id, 80)}</code> (acciones: ${escapeHtmlCut(actions, 200)}). Su resultado llegará como un aviso más; /incidente ${escapeHtmlCut(result.incident.id, 80)} muestra su historia.${dry}`;
}

function usage(syntax: string): AdminReply {
  return `Uso: ${syntax}`;
}

function describeNotFound(wanted: string, found: Exclude<FoundIncident, { ok: true }>): AdminReply {
  const shown = `<code>${escapeHtmlCut(wanted, 80)}</code>`;
  if (found.reason === "ambiguous") {
    const list = found.candidates.slice(0, 5).map((c) => `<code>${escapeHtmlCut(c, 80)}</code>`).join(", ");
    return `Varios incidentes terminan en ${shown}: ${list}${found.candidates.length > 5 ? "…" : ""}. Escribe el id completo.`;
  }
  return `No encuentro el incidente ${shown} en el diario.`;
}
