import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseJournal } from "../incidents/load-journal.js";
import { formatSummaryTable, summarizeIncidents, formatDurationMs } from "../incidents/summarize-incidents.js";
import { loadCliConfig } from "./load-cli-config.js";
import { UsageError } from "./main.js";

/** Parses `--since 2h` / `30m` / `1d` / `45s` into milliseconds. */
export function parseSince(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--since: expected a duration like 30m, 2h or 1d, got '${text}'`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

interface JournalElement {
  timestamp?: string;
  error_type?: string;
  estado?: string;
  id?: string;
  duracion_ms?: number | null;
  modelo?: string | null;
  video?: string | null;
}

/** `2025-12-25T14:30` (or `2025-12-25T14`) in local time, like the journal's timestamps (same prefix for jq). */
function formatLocalBucket(ms: number, minutes: boolean): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const hour = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}`;
  return minutes ? `${hour}:${p(d.getMinutes())}` : hour;
}

/** Detections per minute (short spans) or per hour. */
function buildTimeline(elements: JournalElement[]): Array<{ bucket: string; count: number }> {
  const times = elements.map((e) => Date.parse(e.timestamp ?? "")).filter((t) => Number.isFinite(t));
  if (times.length === 0) return [];
  const span = Math.max(...times) - Math.min(...times);
  const bucketMs = span <= 3 * 3_600_000 ? 60_000 : 3_600_000;
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / bucketMs) * bucketMs;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, count]) => ({ bucket: formatLocalBucket(b, bucketMs === 60_000), count }));
}

/** `vigia report [JOURNAL]`: totals, error_type × estado, fix rate, time to fix, slowest, top keys, timeline. */
export async function runReportCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  let path: string;
  if (positionals[0]) path = resolve(positionals[0]);
  else {
    const loaded = await loadCliConfig(values["config"]);
    if (!loaded) return 1;
    path = loaded.config.journalPath;
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    process.stderr.write(`vigia report: cannot read ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  const parsed = parseJournal(text);
  if (!parsed.ok) {
    process.stderr.write(`vigia report: ${path} is not a valid journal: ${parsed.problem.message}\n`);
    return 1;
  }
  let elements = parsed.elements as JournalElement[];
  if (typeof values["since"] === "string") {
    const from = Date.now() - parseSince(values["since"]);
    elements = elements.filter((e) => Date.parse(e.timestamp ?? "") >= from);
  }
  const summary = summarizeIncidents(elements, { topKeys: 10 });
  const slowest = elements
    .filter((e) => e.estado === "solucionado" && typeof e.duracion_ms === "number")
    .sort((a, b) => (b.duracion_ms ?? 0) - (a.duracion_ms ?? 0))
    .slice(0, 5)
    .map((e) => ({ id: e.id, error_type: e.error_type, duracion_ms: e.duracion_ms, modelo: e.modelo ?? null, video: e.video ?? null }));
  const timeline = buildTimeline(elements);
  if (values["json"]) {
    process.stdout.write(`${JSON.stringify({ journal: path, ...summary, slowest, timeline }, null, 2)}\n`);
    return 0;
  }
  const out = [`Journal: ${path}`, "", formatSummaryTable(summary), ""];
  if (slowest.length > 0) {
    out.push("Slowest fixes:");
    for (const s of slowest) out.push(`  ${formatDurationMs(s.duracion_ms ?? null).padStart(8)}  ${s.error_type}  ${s.id}${s.video ? `  ${s.video}` : ""}`);
    out.push("");
  }
  if (summary.topKeys.length > 0) {
    out.push("Most frequent keys:");
    for (const k of summary.topKeys) out.push(`  ${String(k.occurrences).padStart(6)} × ${k.errorType}  ${k.key}  (${k.incidents} incident(s))`);
    out.push("");
  }
  if (timeline.length > 0) {
    out.push("Timeline (detections):");
    const max = Math.max(...timeline.map((t) => t.count));
    for (const t of timeline) out.push(`  ${t.bucket}  ${"#".repeat(Math.max(1, Math.round((t.count / max) * 40)))} ${t.count}`);
  }
  process.stdout.write(`${colorize(out, process.stdout.isTTY === true && !process.env["NO_COLOR"]).join("\n")}\n`);
  return 0;
}

const BOLD = (t: string) => `\u001b[1m${t}\u001b[22m`;
const GREEN = (t: string) => `\u001b[32m${t}\u001b[39m`;
const RED = (t: string) => `\u001b[31m${t}\u001b[39m`;

/** On a terminal: section titles bold, the table's header bold, solucionado green and fallido red in the header. */
function colorize(lines: string[], on: boolean): string[] {
  if (!on) return lines;
  return lines.map((line) => {
    if (/^(Journal:|Slowest fixes:|Most frequent keys:|Timeline)/.test(line)) return BOLD(line);
    if (/^error_type\s/.test(line)) return BOLD(line.replace("solucionado", GREEN("solucionado")).replace("fallido", RED("fallido")));
    return line;
  });
}
