import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { listConfigSecrets } from "../config/index.js";
import { formatCompactLocal } from "../incidents/format-local-iso.js";
import { mergeJournalArchives } from "../incidents/archive-read.js";
import { parseJournal } from "../incidents/load-journal.js";
import { readCheckHistory } from "../observe/check-history.js";
import { buildReport, type JournalElement } from "../report/build-report.js";
import { countLogLevels } from "../report/count-log-levels.js";
import { formatReportText, TEXT_TITLES } from "../report/format-report-text.js";
import { renderReportHtml } from "../report/render-report-html.js";
import { describeFsError } from "../util/describe-error.js";
import { createSecretMasker } from "../util/mask-secrets.js";
import { parseDurationMs } from "../util/parse-duration.js";
import type { UnknownTemplate } from "../discover/unknown-error-store.js";
import { locateUnknownErrorsFile, readUnknownTemplates } from "../discover/read-unknown-templates.js";
import { loadCliConfig } from "./load-cli-config.js";
import { UsageError } from "./main.js";

/**
 * `--since`: a duration back from now (`45s`, `30m`, `2h`, `1d`) or a date (`2025-12-01`, local midnight) or time
 * (`2025-12-01T08:00`, local; an ISO offset is honoured). Returns the first instant included, in ms.
 */
export function parseSince(text: string, nowMs: number): number {
  const trimmed = text.trim();
  const durationMs = parseDurationMs(trimmed);
  if (durationMs !== null) return nowMs - durationMs;
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}.*)?$/.exec(trimmed);
  // Date rolls a day that does not exist over (2025-02-30 → March 2, month 13 → next January): refused instead.
  if (date && isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
    const ms = trimmed.length === 10 ? new Date(Number(date[1]), Number(date[2]) - 1, Number(date[3])).getTime() : Date.parse(trimmed.replace(" ", "T"));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`--since: expected a duration like 30m, 2h or 1d, or a date like 2025-12-01 or 2025-12-01T08:00, got '${text}'`);
}

/** Whether year-month-day names a day of the calendar. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** `vigia report [JOURNAL] [--all] [--since W]`: summary, slowest fixes, top keys, timeline, log totals, check history, recommendations. */
export async function runReportCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  // With a JOURNAL argument the config is optional (it only adds the source logs and the check history).
  const loaded = positionals[0] ? await loadCliConfig(values["config"], () => {}) : await loadCliConfig(values["config"]);
  if (!positionals[0] && !loaded) return 1;
  const path = positionals[0] ? resolve(positionals[0]) : loaded!.config.journalPath;
  const fromMs = typeof values["since"] === "string" ? parseSince(values["since"], Date.now()) : -Infinity;
  let text: string;
  try {
    // Read as it comes, pipes included: `vigia report <(ssh host cat logs/descarga_errors.json)` is a FIFO.
    text = readFileSync(path, "utf8");
  } catch (error) {
    process.stderr.write(`vigia report: cannot read ${path}: ${describeFsError(error)}\n`);
    return 1;
  }
  const parsed = parseJournal(text);
  if (!parsed.ok) {
    process.stderr.write(`vigia report: ${path} is not a valid journal: ${parsed.problem.message}\n`);
    return 1;
  }
  // --all: the whole history; --since: the archives that can hold incidents of the window.
  let history = parsed.elements;
  let archivePaths: string[] = [];
  if (values["all"] || Number.isFinite(fromMs)) {
    try {
      ({ elements: history, archives: archivePaths } = await mergeJournalArchives(path, parsed.elements, { fromMs: values["all"] ? undefined : fromMs }));
    } catch (error) {
      process.stderr.write(`vigia report: ${(error as Error).message}\n`);
      return 1;
    }
  }
  // Journals written before secrets were masked at ingestion may still hold one: nothing shown carries it.
  const masker = createSecretMasker(loaded ? listConfigSecrets(loaded.config) : []);
  let elements = masker.maskValue(history) as JournalElement[];
  if (Number.isFinite(fromMs)) elements = elements.filter((e) => Date.parse(e.timestamp ?? "") >= fromMs);
  elements.sort((a, b) => (Date.parse(a.timestamp ?? "") || 0) - (Date.parse(b.timestamp ?? "") || 0));
  const config = loaded?.config;
  const sources = config ? await Promise.all(config.sources.map((s) => countLogLevels(s.name, s.path))) : [];
  const historyFromMs = Number.isFinite(fromMs) ? fromMs : Date.now() - (config?.checks.historyDays || 7) * 86_400_000;
  const checkRuns = config ? await readCheckHistory(join(config.stateDir, "checks"), historyFromMs) : [];
  const unknownTemplates = readUnknownTemplatesSince(locateUnknownErrorsFile(path), fromMs);
  const report = buildReport({
    journalPath: path,
    archivePaths,
    sinceMs: fromMs,
    elements,
    sources,
    checkRuns: masker.maskValue(checkRuns) as typeof checkRuns,
    unknownTemplates: masker.maskValue(unknownTemplates) as typeof unknownTemplates,
  });

  const nowMs = Date.now();
  const html = typeof values["html"] === "string" ? renderReportHtml(report, elements, nowMs) : null;
  const plain = formatReportText(report);
  try {
    if (html !== null) writeFileSync(resolve(values["html"] as string), html);
    if (values["save"]) {
      const dir = config?.logDir ?? dirname(path);
      const base = join(dir, `analysis_${formatCompactLocal(nowMs).replace("-", "_")}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${base}.txt`, `${plain.join("\n")}\n`);
      if (html !== null) writeFileSync(`${base}.html`, html);
      process.stderr.write(`vigia report: saved ${base}.txt${html !== null ? ` and ${base}.html` : ""}\n`);
    }
  } catch (error) {
    process.stderr.write(`vigia report: cannot write the report: ${(error as Error).message}\n`);
    return 1;
  }
  if (values["json"]) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${colorize(plain, process.stdout.isTTY === true && !process.env["NO_COLOR"]).join("\n")}\n`);
  return 0;
}

/** The unclaimed-error templates beside the journal seen since `fromMs`; an unreadable file is said and shown as none. */
function readUnknownTemplatesSince(file: string, fromMs: number): UnknownTemplate[] {
  const read = readUnknownTemplates(file);
  if (typeof read === "string") {
    process.stderr.write(`vigia report: ignoring ${read}\n`);
    return [];
  }
  return read.filter((t) => !(Date.parse(t.ultima_vez) < fromMs));
}

const BOLD = (t: string) => `\u001b[1m${t}\u001b[22m`;
const GREEN = (t: string) => `\u001b[32m${t}\u001b[39m`;
const RED = (t: string) => `\u001b[31m${t}\u001b[39m`;

/** On a terminal: section titles bold, the table's header bold, solucionado green and fallido red in the header. */
function colorize(lines: string[], on: boolean): string[] {
  if (!on) return lines;
  return lines.map((line) => {
    if (TEXT_TITLES.some((title) => line.startsWith(title))) return BOLD(line);
    if (/^error_type\s/.test(line)) return BOLD(line.replace("solucionado", GREEN("solucionado")).replace("fallido", RED("fallido")));
    return line;
  });
}
