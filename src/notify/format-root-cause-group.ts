import type { Incident } from "../types.js";
import { escapeHtmlCut } from "./escape-html.js";
import type { RootCauseRef } from "./root-cause.js";

/** What a grouped alert keeps of each incident closed by the root cause. */
export interface RootCauseMember {
  id: string;
  errorType: string;
  modelo: string | null;
  video: string | null;
}

/** Copies the fields a grouped alert shows (the incident object itself may change after the call). */
export function toRootCauseMember(incident: Incident): RootCauseMember {
  return { id: incident.id, errorType: incident.error_type, modelo: incident.modelo, video: incident.video };
}

/** Most items listed by name in a grouped alert; the rest are counted. */
const MAX_LISTED = 15;

/**
 * One message for every incident that closed `fallido` because its root cause failed, instead of one per video:
 * counts per error_type, then the affected modelo/video, e.g. "🔗 causa raíz servidor_caido … 7 incidentes".
 */
export function formatRootCauseGroup(root: RootCauseRef, members: readonly RootCauseMember[]): string {
  const byType = new Map<string, number>();
  for (const m of members) byType.set(m.errorType, (byType.get(m.errorType) ?? 0) + 1);
  const n = members.length;
  const lines = [
    `🔗 <b>causa raíz: ${escapeHtmlCut(root.errorType || "?", 100)}</b> <code>${escapeHtmlCut(root.incidentId, 100)}</code>`,
    `${n} ${n === 1 ? "incidente cerrado como fallido" : "incidentes cerrados como fallidos"} por esta causa:`,
  ];
  for (const [type, count] of [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    lines.push(`• ${escapeHtmlCut(type, 100)} × ${count}`);
  }
  const listed = members.slice(0, MAX_LISTED).map((m) => {
    const what = [m.modelo, m.video].filter(Boolean).join("/") || m.errorType;
    return `  – ${escapeHtmlCut(what, 120)} <code>${escapeHtmlCut(m.id, 60)}</code>`;
  });
  lines.push(...listed);
  if (n > MAX_LISTED) lines.push(`  … y ${n - MAX_LISTED} más`);
  return lines.join("\n");
}
