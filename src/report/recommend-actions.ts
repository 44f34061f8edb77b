/**
 * Recommendations drawn from the report's numbers (Spanish, for the admin), as the seed's analyzer closed its
 * reports: what repeats, what vigia does not manage to fix, what is slow, which check is often down. Each one
 * says the number it comes from, so the admin can judge it.
 */
import type { IncidentSummary } from "../incidents/summarize-incidents.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import type { CheckSummary } from "../observe/summarize-check-history.js";

interface ElementLike {
  timestamp?: unknown;
  error_type?: unknown;
  ocurrencias?: unknown;
  campos?: unknown;
}

/** Repeats from this many matches of one type on: worth looking at the cause instead of the symptom. */
const REPEATS_WORTH_A_LOOK = 5;
/** Closed incidents of a type needed before its fix rate says anything. */
const CLOSED_FOR_A_RATE = 3;
const LOW_FIX_RATE = 0.5;
const SLOW_FIX_MS = 60_000;
const LOW_UPTIME = 0.99;

/** What probably causes a repeating error_type, with `{carpeta}` the folder its paths share. */
const CAUSE_BY_TYPE: Record<string, string> = {
  permisos: "algo reinicia el dueño de {carpeta}",
  ruta_inexistente: "el bot no crea {carpeta} antes de guardar",
  disco_lleno: "hace falta liberar espacio o un disco mayor",
  servidor_caido: "el servidor local de la Bot API se cae: revise su servicio y sus recursos",
  servicio_caido: "el servicio se cae: revise sus logs y sus recursos",
  timeout: "las descargas tardan más de lo que el bot espera: revise la red o el límite de tiempo",
  corrupto: "las descargas se cortan: revise la red y el espacio libre durante la descarga",
  proceso_caido: "el proceso termina solo: revise su log de errores",
};

export function recommendActions(elements: readonly unknown[], summary: IncidentSummary, checks: readonly CheckSummary[]): string[] {
  const out: string[] = [];
  for (const type of Object.keys(summary.byType)) {
    const ofType = elements.filter((e) => (e as ElementLike | null)?.error_type === type) as ElementLike[];
    const repeats = ofType.reduce((n, e) => n + (typeof e.ocurrencias === "number" ? e.ocurrencias : 1), 0);
    if (repeats >= REPEATS_WORTH_A_LOOK) {
      const days = new Set(ofType.map((e) => (typeof e.timestamp === "string" ? e.timestamp.slice(0, 10) : ""))).size;
      const cause = (CAUSE_BY_TYPE[type] ?? "busque la causa de fondo en lugar de repararlo cada vez").replace("{carpeta}", findCommonFolder(ofType) ?? "la carpeta de destino");
      out.push(`${type} se repite ${repeats} veces en ${days} ${days === 1 ? "día" : "días"}: ${cause}.`);
    }
    const counts = summary.byType[type]!;
    const closed = counts.solucionado + counts.fallido;
    const fix = summary.fixByType[type]!;
    if (closed >= CLOSED_FOR_A_RATE && fix.successRate !== null && fix.successRate < LOW_FIX_RATE) {
      out.push(`${type}: solo ${counts.solucionado} de ${closed} se solucionan solos (${Math.round(fix.successRate * 100)} %): la acción de la regla no basta, revísela.`);
    }
    if (fix.medianTimeToFixMs !== null && fix.medianTimeToFixMs > SLOW_FIX_MS) {
      out.push(`${type} tarda ${formatDurationMs(fix.medianTimeToFixMs)} de mediana en solucionarse: revise las esperas y los reintentos de la regla.`);
    }
  }
  for (const c of checks) {
    if (c.runs > 0 && c.uptime < LOW_UPTIME) {
      out.push(`${c.check} estuvo caído en ${c.failures} de ${c.runs} comprobaciones (${(100 - c.uptime * 100).toFixed(1).replace(".", ",")} %): ${c.last.ok ? "ahora responde, pero falla a menudo" : `sigue caído (${c.last.reason})`}.`);
    }
  }
  return out;
}

/** The first folder most of the incidents' paths share (`modelos/`), from their `path` or `dir` capture. */
function findCommonFolder(elements: readonly ElementLike[]): string | null {
  const counts = new Map<string, number>();
  for (const e of elements) {
    const campos = (e.campos ?? {}) as Record<string, unknown>;
    const path = typeof campos["path"] === "string" ? campos["path"] : typeof campos["dir"] === "string" ? campos["dir"] : null;
    if (!path) continue;
    const first = path.replace(/^\/+/, "").split("/")[0];
    if (!first) continue;
    const folder = `${path.startsWith("/") ? "/" : ""}${first}/`;
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [folder, n] of counts) if (n > bestCount) [best, bestCount] = [folder, n];
  return best;
}
