import { ESTADOS, type CompiledRule, type Estado, type RuleMatch } from "../types.js";
import type { Posicion, TrackedIncident } from "./create-incident.js";

/** Cooldown for journaled incidents whose rule is no longer loaded. */
export const FALLBACK_COOLDOWN_MS = 60_000;


/** A journal element as an incident the manager can track, or null when it is not one of vigia's. */
export function toTrackedIncident(raw: unknown): TrackedIncident | null {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (
    typeof r.id !== "string" ||
    typeof r.clave !== "string" ||
    typeof r.error_type !== "string" ||
    typeof r.timestamp !== "string" ||
    !ESTADOS.includes(r.estado as Estado) ||
    !Array.isArray(r.transiciones) ||
    Number.isNaN(Date.parse(r.timestamp))
  ) {
    return null;
  }
  const pos = r.posicion as Partial<Posicion> | null | undefined;
  const posicion =
    pos && typeof pos === "object" && typeof pos.fileId === "string" && typeof pos.endOffset === "number"
      ? { fileId: pos.fileId, endOffset: pos.endOffset }
      : null;
  return {
    ...(r as unknown as TrackedIncident),
    campos: r.campos && typeof r.campos === "object" ? (r.campos as Record<string, string>) : {},
    ocurrencias: typeof r.ocurrencias === "number" ? r.ocurrencias : 1,
    ultima_ocurrencia: typeof r.ultima_ocurrencia === "string" ? r.ultima_ocurrencia : r.timestamp,
    intento: typeof r.intento === "number" ? r.intento : 0,
    posicion,
  };
}

/** Stands in for a rule that is no longer loaded, so its journaled incidents can still be closed and reported. */
export function createPlaceholderRule(incident: TrackedIncident): CompiledRule {
  return {
    id: incident.error_type,
    match: /(?!)/,
    exclude: [],
    sources: null,
    severity: incident.severidad ?? "warning",
    keyTemplate: null,
    cooldownMs: FALLBACK_COOLDOWN_MS,
    threshold: null,
    dependsOn: [],
    extract: [],
    actions: [],
    verify: null,
    resolveOn: null,
    retries: null,
    backoffMs: null,
    notify: "never",
    notifyTemplate: null,
    file: "<journal>",
    line: 0,
  };
}

/** A match standing for a journaled incident, for a reopen when the manager never saw its event (after restart). */
export function rebuildMatch(incident: TrackedIncident, rule: CompiledRule): RuleMatch {
  return {
    rule,
    key: incident.clave,
    fields: incident.campos,
    event: {
      source: incident.fuente,
      file: incident.archivo,
      fileId: incident.posicion?.fileId ?? "",
      text: incident.error_message,
      lineCount: incident.error_message.split("\n").length,
      offset: -1,
      endOffset: incident.posicion?.endOffset ?? -1,
      readAtMs: Date.parse(incident.ultima_ocurrencia) || 0,
    },
  };
}
