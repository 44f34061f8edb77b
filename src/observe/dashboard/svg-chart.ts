/**
 * The two charts vigia draws, as SVG text: stacked bars (detections per error_type over time) and a line with
 * dots (a check's latency, failed runs in red). Drawn on the server, so the live dashboard and the offline
 * `report --html` show the same picture with no chart library and no script. Colours come from CSS classes
 * (`serie-0`…) so dark mode restyles them; every mark has a <title> for the tooltip and data-* for tests.
 */
import { escapeHtml } from "../../notify/escape-html.js";

export interface BarBucket {
  /** Shown under the first, middle and last bar and in the tooltip (`14:00`, `07/12`). */
  label: string;
  /** Count per series name. */
  values: Readonly<Record<string, number>>;
}

export interface StackedBarsOptions {
  buckets: readonly BarBucket[];
  /** Series names in stacking order; index i is drawn with class `serie-i`. */
  series: readonly string[];
  /** What the chart shows, for screen readers. */
  label: string;
}

/**
 * The plot is an SVG stretched to its box (preserveAspectRatio="none", height set by CSS) so it fills a phone or
 * a wide screen alike; text lives in HTML around it, so it never scales with the plot. Dots are zero-length
 * round-capped lines with a non-scaling stroke: they stay round however the plot is stretched.
 */
const PLOT_W = 1000;
const PLOT_H = 100;

/** A stacked bar chart: one column per bucket, one rect per series with a non-zero count. */
export function renderStackedBars(options: StackedBarsOptions): string {
  const { buckets, series } = options;
  const totals = buckets.map((b) => series.reduce((sum, s) => sum + (b.values[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = PLOT_W / Math.max(1, buckets.length);
  const barW = Math.max(1, slot * 0.8);
  const parts: string[] = [];
  buckets.forEach((bucket, i) => {
    let y = PLOT_H;
    series.forEach((name, s) => {
      const count = bucket.values[name] ?? 0;
      if (count <= 0) return;
      const h = (count / max) * PLOT_H;
      y -= h;
      parts.push(
        `<rect class="barra serie-${s % PALETTE_SIZE}" x="${fmt(i * slot + (slot - barW) / 2)}" y="${fmt(y)}" width="${fmt(barW)}" height="${fmt(h)}" data-serie="${escapeHtml(name)}" data-count="${count}"><title>${escapeHtml(`${bucket.label} · ${name}: ${count}`)}</title></rect>`,
      );
    });
  });
  const labels = pickLabelIndexes(buckets.length).map((i) => buckets[i]!.label);
  return wrapChart("barras", options.label, formatAxisValue(max), parts, labels);
}

export interface LinePoint {
  atMs: number;
  value: number;
  /** false: drawn as a failure (red dot). */
  ok: boolean;
  /** Tooltip text. */
  title: string;
}

export interface LineChartOptions {
  points: readonly LinePoint[];
  fromMs: number;
  toMs: number;
  label: string;
  /** Unit shown after the y maximum (`ms`). */
  unit: string;
  /** Labels under the start and end of the x axis. */
  fromLabel: string;
  toLabel: string;
}

/** A line through the points in time order, with one dot per point (class `punto`, `punto fallo` when not ok). */
export function renderLineChart(options: LineChartOptions): string {
  const max = Math.max(1, ...options.points.map((p) => p.value));
  const span = Math.max(1, options.toMs - options.fromMs);
  const xy = options.points.map((p) => ({
    p,
    x: ((Math.min(Math.max(p.atMs, options.fromMs), options.toMs) - options.fromMs) / span) * PLOT_W,
    // A little headroom so the highest dot is not cut in half by the top edge.
    y: PLOT_H - (p.value / max) * PLOT_H * 0.92,
  }));
  const parts: string[] = [];
  if (xy.length > 1) parts.push(`<polyline class="linea" fill="none" vector-effect="non-scaling-stroke" points="${xy.map((q) => `${fmt(q.x)},${fmt(q.y)}`).join(" ")}"/>`);
  for (const q of xy) {
    parts.push(
      `<line class="punto${q.p.ok ? "" : " fallo"}" x1="${fmt(q.x)}" y1="${fmt(q.y)}" x2="${fmt(q.x)}" y2="${fmt(q.y)}" vector-effect="non-scaling-stroke" data-ok="${q.p.ok}" data-value="${fmt(q.p.value)}"><title>${escapeHtml(q.p.title)}</title></line>`,
    );
  }
  return wrapChart("linea", options.label, `${formatAxisValue(max)} ${options.unit}`, parts, [options.fromLabel, options.toLabel]);
}

/** How many `serie-N` colour classes the stylesheet defines. */
export const PALETTE_SIZE = 8;

/** First, middle and last index: enough to read the time axis without labels colliding on a phone. */
function pickLabelIndexes(n: number): number[] {
  if (n === 0) return [];
  return [...new Set([0, Math.floor((n - 1) / 2), n - 1])];
}

function formatAxisValue(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function wrapChart(kind: string, label: string, maxLabel: string, parts: string[], xLabels: string[]): string {
  const svg = `<svg class="trazado" viewBox="0 0 ${PLOT_W} ${PLOT_H}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg"><line class="rejilla" x1="0" y1="${PLOT_H}" x2="${PLOT_W}" y2="${PLOT_H}" vector-effect="non-scaling-stroke"/>${parts.join("")}</svg>`;
  const axis = `<div class="eje-x">${xLabels.map((l) => `<span>${escapeHtml(l)}</span>`).join("")}</div>`;
  return `<figure class="grafico grafico-${kind}"><div class="eje-y"><span>${escapeHtml(maxLabel)}</span><span>0</span></div>${svg}${axis}</figure>`;
}

/** Coordinates with at most one decimal: the SVG stays small. */
function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
