/**
 * `vigia status` output: a /health report as aligned tables. The report comes over HTTP, so every field is
 * treated as possibly missing, and control characters are stripped (a message must not drive the terminal).
 */
import type { HealthReport } from "./health-report.js";
import { formatDurationMs } from "../util/format-duration-ms.js";

/** Renders a report (parsed JSON of unknown shape) as text, ending with a newline. */
export function formatHealthReport(raw: unknown, nowMs: number = Date.now()): string {
  const report = (isRecord(raw) ? raw : {}) as Partial<HealthReport>;
  const out: string[] = [];
  // A degraded status carries its reasons on the same line: "degraded" alone sends the operator hunting.
  const reasons = (Array.isArray(report.reasons) ? report.reasons : []).filter((r): r is string => typeof r === "string").map(clean);
  out.push(
    `vigia ${text(report.version)}  status: ${text(report.status)}${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}  uptime: ${
      typeof report.uptime_s === "number" ? formatDurationMs(report.uptime_s * 1000) : "-"
    }`,
    "",
  );

  const sources = listOf(report.sources);
  if (sources.length === 0) out.push("SOURCES    none");
  else {
    out.push(
      ...formatTable(
        ["SOURCE", "PATH", "OFFSET", "LAG", "LAST LINE"],
        sources.map((s) => [text(s.name), text(s.path), num(s.offset), num(s.lag_bytes), formatWhen(s.last_line_at, nowMs)]),
        [false, false, true, true, false],
      ),
    );
  }
  out.push("");

  const rules = isRecord(report.rules) ? (report.rules as Partial<HealthReport["rules"]>) : {};
  out.push(
    `RULES      ${num(rules.loaded)} loaded from ${num(rules.files)} files; last reload ${formatWhen(rules.last_reload, nowMs)}; ` +
      `last error: ${rules.last_error ? text(rules.last_error) : "none"}`,
  );
  const open = isRecord(report.incidents_open) ? Object.entries(report.incidents_open) : [];
  out.push(`INCIDENTS  ${open.length === 0 ? "none open" : open.map(([type, n]) => `${clean(type)}: ${num(n)}`).join(", ")}`);
  out.push("");

  const checks = listOf(report.checks);
  if (checks.length === 0) out.push("CHECKS     none");
  else {
    out.push(
      ...formatTable(
        ["CHECK", "OK", "AT", "MESSAGE"],
        checks.map((c) => [text(c.check), c.ok === true ? "ok" : c.ok === false ? "FAIL" : "-", formatWhen(c.at, nowMs), text(c.message)]),
      ),
    );
  }
  out.push("");

  const notifier = isRecord(report.notifier) ? (report.notifier as Partial<HealthReport["notifier"]>) : {};
  out.push(
    `NOTIFIER   queued ${num(notifier.queued)}, sent ${num(notifier.sent)}, failed ${num(notifier.failed)}, dropped ${num(notifier.dropped)}`,
  );
  if (isRecord(report.remediation)) {
    const remediation = report.remediation as Partial<NonNullable<HealthReport["remediation"]>>;
    out.push(`REMEDIATION running ${num(remediation.running)}, queued ${num(remediation.queued)}`);
  }
  return `${out.join("\n")}\n`;
}

/** Aligns rows under headers; `rightAlign[i]` right-aligns column i (numbers). The last column is not padded. */
export function formatTable(headers: string[], rows: string[][], rightAlign: boolean[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const render = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        if (i === cells.length - 1 && !rightAlign[i]) return cell;
        return rightAlign[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [render(headers), ...rows.map(render)];
}


/** An ISO time plus how long ago, or `-`. */
function formatWhen(value: unknown, nowMs: number): string {
  if (typeof value !== "string") return "-";
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return clean(value);
  return `${clean(value)} (${formatDurationMs(Math.max(0, nowMs - ms))} ago)`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Removes control characters (ANSI escapes, newlines) from text going to a terminal. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

function text(value: unknown): string {
  return typeof value === "string" && value !== "" ? clean(value) : "-";
}

function num(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : "-";
}
