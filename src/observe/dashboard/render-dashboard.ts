/**
 * The dashboard's sections as HTML fragments (Spanish), keyed by the id of the <section> they fill. The page
 * is rendered whole on the first request; the event stream then sends the same fragments again on each change,
 * so there is one renderer, tested without a browser, and the page script only swaps them in.
 */
import { summarizeIncidents } from "../../incidents/summarize-incidents.js";
import { formatBytes } from "../../remediation/disk-space.js";
import { formatLocalIso } from "../../incidents/format-local-iso.js";
import type { Incident } from "../../types.js";
import { summarizeCheckHistory } from "../summarize-check-history.js";
import type { CheckRecord } from "../check-history.js";
import type { HealthReport } from "../health-report.js";
import { buildDetectionTimeline, TIME_WINDOWS, type TimeWindow } from "./detection-timeline.js";
import type { DashboardSource } from "./dashboard-source.js";
import { listTopUnknownTemplates, type UnknownErrorsOverview } from "../../discover/list-top-unknown-templates.js";
import { renderUnknownTemplates } from "./render-unknown-templates.js";
import { esc, renderEstadoBadge, renderLegend, renderTypeTable, showDuration, showPercent } from "./render-parts.js";
import { renderLineChart, renderStackedBars, type LinePoint } from "./svg-chart.js";

/** Everything one render needs, read from the source at one instant. */
export interface DashboardSnapshot {
  nowMs: number;
  window: TimeWindow;
  health: HealthReport;
  open: readonly Incident[];
  journal: readonly unknown[];
  ruleIds: readonly string[];
  ruleHits: Readonly<Record<string, number>>;
  checkRuns: readonly CheckRecord[];
  notifierFailure: { atMs: number; message: string } | null;
  unknown: UnknownErrorsOverview;
}

/** Reads a snapshot of the source for a window ending now. */
export async function readDashboardSnapshot(source: DashboardSource, window: TimeWindow, nowMs = Date.now()): Promise<DashboardSnapshot> {
  return {
    nowMs,
    window,
    health: source.getHealth(),
    open: source.listOpenIncidents(),
    journal: source.listJournal(),
    ruleIds: source.listRuleIds(),
    ruleHits: await source.getRuleHits(),
    checkRuns: source.listCheckRuns(nowMs - window.hours * 3_600_000),
    notifierFailure: source.getNotifierFailure(),
    unknown: listTopUnknownTemplates(source.listUnknownTemplates()),
  };
}

export type DashboardSections = Record<string, string>;

/** Every section's inner HTML; `redact` masks secrets in any text taken from logs, config or errors. */
export function renderDashboardSections(snap: DashboardSnapshot, redact: (text: string) => string): DashboardSections {
  const r = (text: string | null | undefined): string => esc(redact(text ?? ""));
  return {
    resumen: renderSummary(snap),
    abiertos: renderOpenIncidents(snap, r),
    detecciones: renderDetections(snap),
    tipos: renderTypes(snap),
    desconocidos: renderUnknownTemplates(snap.unknown, redact),
    comprobaciones: renderChecks(snap, r, redact),
    fuentes: renderSources(snap, r),
    reglas: renderRules(snap, r),
    avisos: renderNotifier(snap, r),
  };
}

const STATUS_TEXT: Record<HealthReport["status"], string> = {
  ok: "todo en orden",
  degraded: "degradado",
  starting: "arrancando",
  stopping: "deteniéndose",
};

function renderSummary(snap: DashboardSnapshot): string {
  const h = snap.health;
  const openCount = snap.open.length;
  const links = TIME_WINDOWS.map((w) =>
    w.hours === snap.window.hours
      ? `<a class="activo" aria-current="true" href="?horas=${w.hours}">${esc(w.label)}</a>`
      : `<a href="?horas=${w.hours}">${esc(w.label)}</a>`,
  ).join("");
  return [
    `<div class="cifras">`,
    `<div class="cifra estado-general estado-${h.status}"><span class="valor">${STATUS_TEXT[h.status]}</span><span class="nombre">estado</span></div>`,
    `<div class="cifra"><span class="valor" data-cifra="abiertos">${openCount}</span><span class="nombre">incidentes abiertos</span></div>`,
    `<div class="cifra"><span class="valor">${h.checks.filter((c) => !c.ok).length}/${h.checks.length}</span><span class="nombre">comprobaciones caídas</span></div>`,
    `<div class="cifra"><span class="valor">${showDuration(h.uptime_s * 1000)}</span><span class="nombre">en marcha (v${esc(h.version)})</span></div>`,
    `</div>`,
    `<nav class="ventana" aria-label="periodo">Periodo: ${links}</nav>`,
    `<p class="actualizado">Actualizado a las <time data-hora="${snap.nowMs}">${formatLocalIso(snap.nowMs).slice(11, 19)}</time></p>`,
  ].join("");
}

/** `hace 3 min` from a past instant; the page script keeps it current between updates. */
function renderAge(sinceMs: number, nowMs: number): string {
  return `<span class="edad" data-desde="${sinceMs}">hace ${showDuration(Math.max(0, nowMs - sinceMs))}</span>`;
}

function renderOpenIncidents(snap: DashboardSnapshot, r: (t: string | null | undefined) => string): string {
  if (snap.open.length === 0) return `<h2>Incidentes abiertos</h2><p class="vacio">Ningún incidente abierto.</p>`;
  const rows = [...snap.open]
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
    .map((i) => {
      const what = [i.modelo, i.video].filter(Boolean).join(" / ") || i.clave;
      return `<tr data-incidente="${esc(i.id)}" data-tipo="${esc(i.error_type)}" data-estado="${esc(i.estado)}"><td>${esc(i.error_type)}<div class="sub">${r(what)}</div></td><td>${renderEstadoBadge(i.estado)}</td><td>${renderAge(Date.parse(i.timestamp), snap.nowMs)}</td><td class="num">${i.intento}/${i.max_intentos}</td><td>${r(i.accion) || "—"}</td><td class="mensaje">${r(lastLine(i.error_message))}</td></tr>`;
    });
  return `<h2>Incidentes abiertos <span class="contador">${snap.open.length}</span></h2><div class="tabla"><table><thead><tr><th>tipo</th><th>estado</th><th>edad</th><th class="num">intentos</th><th>última acción</th><th>mensaje</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function renderDetections(snap: DashboardSnapshot): string {
  const fromMs = snap.nowMs - snap.window.hours * 3_600_000;
  const t = buildDetectionTimeline(snap.journal, fromMs, snap.nowMs, snap.window.bucketMs);
  const chart = renderStackedBars({ buckets: t.buckets, series: t.series, label: `Detecciones por tipo de error, últimas ${snap.window.label}` });
  return `<h2>Detecciones por tipo (${esc(snap.window.label)}) <span class="contador" data-detecciones="${t.total}">${t.total}</span></h2>${chart}${renderLegend(t.series)}`;
}

function renderTypes(snap: DashboardSnapshot): string {
  const fromMs = snap.nowMs - snap.window.hours * 3_600_000;
  const inWindow = snap.journal.filter((raw) => {
    const ts = (raw as { timestamp?: unknown } | null)?.timestamp;
    return typeof ts === "string" && Date.parse(ts) >= fromMs;
  });
  return `<h2>Tasa de solución y tiempo hasta solucionar (${esc(snap.window.label)})</h2>${renderTypeTable(summarizeIncidents(inWindow))}`;
}

function renderChecks(snap: DashboardSnapshot, r: (t: string | null | undefined) => string, redact: (text: string) => string): string {
  const current = snap.health.checks;
  if (current.length === 0 && snap.checkRuns.length === 0) return `<h2>Comprobaciones</h2><p class="vacio">Sin comprobaciones configuradas.</p>`;
  const summaries = new Map(summarizeCheckHistory(snap.checkRuns).map((s) => [s.check, s]));
  const ids = [...new Set([...current.map((c) => c.check), ...summaries.keys()])];
  const fromMs = snap.nowMs - snap.window.hours * 3_600_000;
  const cards = ids.map((id) => {
    const now = current.find((c) => c.check === id);
    const s = summaries.get(id);
    const ok = now ? now.ok : (s?.last.ok ?? false);
    const runs = snap.checkRuns.filter((run) => run.check === id);
    const chart = renderLineChart({
      points: toLatencyPoints(runs, fromMs, snap.nowMs, redact),
      fromMs,
      toMs: snap.nowMs,
      label: `Latencia de ${id}`,
      unit: "ms",
      fromLabel: `hace ${snap.window.label}`,
      toLabel: "ahora",
    });
    const stats = s
      ? `<span>disponibilidad ${showPercent(s.uptime)}</span><span>p50 ${showDuration(s.p50Ms)}</span><span>p95 ${showDuration(s.p95Ms)}</span><span>${s.runs} ejecuciones</span>`
      : `<span>sin historial</span>`;
    return `<article class="tarjeta comprobacion" data-comprobacion="${esc(id)}" data-ok="${ok}"><h3><span class="punto-estado ${ok ? "arriba" : "abajo"}"></span>${esc(id)} <span class="estado-check">${ok ? "arriba" : "caída"}</span></h3><p class="sub">${r(now?.motivo ?? s?.last.reason ?? "")}</p><p class="stats">${stats}</p>${chart}</article>`;
  });
  return `<h2>Comprobaciones</h2><div class="rejilla-tarjetas">${cards.join("")}</div>`;
}

/** Most dots a latency chart draws: a week of 30 s runs would be 20,000 dots and megabytes per update. */
export const MAX_LATENCY_POINTS = 120;

/**
 * One dot per run while they fit; beyond that one dot per time slice, at the slowest run of the slice and red
 * when any run in it failed, so a short outage never averages away.
 */
export function toLatencyPoints(runs: readonly CheckRecord[], fromMs: number, toMs: number, redact: (text: string) => string): LinePoint[] {
  const describeRun = (run: CheckRecord): string =>
    `${formatLocalIso(run.at_ms).slice(11, 19)} · ${run.ok ? "arriba" : "caída"} · ${showDuration(run.latency_ms)}${run.ok ? "" : ` · ${redact(run.reason)}`}`;
  if (runs.length <= MAX_LATENCY_POINTS) {
    return runs.map((run) => ({ atMs: run.at_ms, value: run.latency_ms, ok: run.ok, title: describeRun(run) }));
  }
  const sliceMs = Math.max(1, (toMs - fromMs) / MAX_LATENCY_POINTS);
  const slices = new Map<number, CheckRecord[]>();
  for (const run of runs) {
    const i = Math.min(MAX_LATENCY_POINTS - 1, Math.max(0, Math.floor((run.at_ms - fromMs) / sliceMs)));
    const list = slices.get(i);
    if (list) list.push(run);
    else slices.set(i, [run]);
  }
  return [...slices.values()].map((slice) => {
    const slowest = slice.reduce((a, b) => (b.latency_ms > a.latency_ms ? b : a));
    const failed = slice.filter((r) => !r.ok);
    const shown = failed[failed.length - 1] ?? slowest;
    return {
      atMs: slice[slice.length - 1]!.at_ms,
      value: slowest.latency_ms,
      ok: failed.length === 0,
      title: `${slice.length} ejecuciones, ${failed.length} caídas, máx. ${showDuration(slowest.latency_ms)} · ${describeRun(shown)}`,
    };
  });
}

function renderSources(snap: DashboardSnapshot, r: (t: string | null | undefined) => string): string {
  const sources = snap.health.sources;
  if (sources.length === 0) return `<h2>Fuentes</h2><p class="vacio">Ninguna fuente de ficheros.</p>`;
  const rows = sources.map((s) => {
    const last = s.last_line_at ? renderAge(Date.parse(s.last_line_at), snap.nowMs) : "—";
    const exists = (s as { exists?: boolean }).exists;
    return `<tr data-fuente="${esc(s.name)}"><td>${esc(s.name)}${exists === false ? ' <span class="aviso">esperando el fichero</span>' : ""}<div class="sub">${r(s.path)}</div></td><td class="num">${formatBytes(s.lag_bytes)}</td><td>${last}</td></tr>`;
  });
  return `<h2>Fuentes</h2><div class="tabla"><table><thead><tr><th>fuente</th><th class="num">retraso</th><th>última línea</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function renderRules(snap: DashboardSnapshot, r: (t: string | null | undefined) => string): string {
  const info = snap.health.rules;
  const rows = snap.ruleIds.map((id) => `<tr data-regla="${esc(id)}"><td>${esc(id)}</td><td class="num">${snap.ruleHits[id] ?? 0}</td></tr>`);
  const error = info.last_error ? `<p class="error">Última recarga fallida: ${r(info.last_error)}</p>` : "";
  const reload = info.last_reload ? `<p class="sub">Cargadas ${info.loaded} reglas de ${info.files} fichero(s); última carga a las ${formatLocalIso(Date.parse(info.last_reload)).slice(11, 19)}.</p>` : "";
  return `<h2>Reglas</h2>${error}${reload}<div class="tabla"><table><thead><tr><th>regla</th><th class="num">aciertos</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function renderNotifier(snap: DashboardSnapshot, r: (t: string | null | undefined) => string): string {
  const n = snap.health.notifier;
  const failure = snap.notifierFailure
    ? `<p class="error">Último fallo ${renderAge(snap.notifierFailure.atMs, snap.nowMs)}: ${r(snap.notifierFailure.message)}</p>`
    : `<p class="sub">Ningún aviso fallido.</p>`;
  return `<h2>Avisos</h2><div class="cifras pequeñas"><div class="cifra"><span class="valor">${n.queued}</span><span class="nombre">en cola</span></div><div class="cifra"><span class="valor">${n.sent}</span><span class="nombre">enviados</span></div><div class="cifra"><span class="valor">${n.failed}</span><span class="nombre">fallidos</span></div><div class="cifra"><span class="valor">${n.dropped}</span><span class="nombre">descartados</span></div></div>${failure}`;
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const line = lines[lines.length - 1] ?? "";
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}
