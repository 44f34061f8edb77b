import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { loadRules } from "../rules/load-rules.js";
import { formatProblem } from "../util/problems.js";
import { resolveWorkerScript } from "../util/resolve-worker-script.js";
import type { CompiledRule } from "../types.js";
import { testRulesOnRange, type RangeReport, type RangeSpec } from "./test-rules-on-range.js";
import { loadCliConfig } from "./load-cli-config.js";
import { toRuleSource } from "../rules/rule-source.js";
import { UsageError } from "./main.js";
import { describeFsError } from "../util/describe-error.js";
import { describeSplitTraceback } from "../events/find-split-tracebacks.js";

/** The `--json` document of the contract. */
export interface TestRulesReport {
  lines: number;
  events: number;
  counts: Record<string, number>;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
  unmatched: number;
  seconds: number;
  lines_per_second: number;
  /** Not in `--json`: the first line of a Python traceback in a source without `multiline`, said on stderr. */
  splitTracebackLine: number | null;
}

const SAMPLES_SHOWN = 5;

/** `vigia test-rules LOGFILE`: like fail2ban-regex, runs the rules over a file; no incidents, no actions. */
export async function runTestRulesCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError("expected exactly one LOGFILE");
  const file = resolve(positionals[0]!);
  const size = measureLogFile(file);
  if (typeof size === "string") {
    process.stderr.write(`vigia test-rules: cannot read ${positionals[0]}: ${size}\n`);
    return 1;
  }
  const loaded = await loadCliConfig(values["config"], undefined, values["rules"]);
  if (!loaded) return 1;
  const config = loaded.config;
  const sourceName = typeof values["source"] === "string" ? values["source"] : config.sources[0]?.name;
  const source = config.sources.find((s) => s.name === sourceName);
  if (typeof values["source"] === "string" && !source) throw new UsageError(`--source: no source named '${values["source"]}' in the config`);
  const loadedRules = loadRules(toRuleSource(config.rulePaths));
  if (loadedRules.problems.length > 0) {
    for (const p of loadedRules.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  const report = await testRulesOnFile(file, size, loadedRules.rules, sourceName ?? "bot", source?.multiline?.start ?? null);
  if (report.splitTracebackLine !== null) {
    process.stderr.write(`vigia test-rules: ${describeSplitTraceback(sourceName ?? "bot", `line ${report.splitTracebackLine} of ${positionals[0]}`)}\n`);
  }
  if (values["json"]) {
    process.stdout.write(`${JSON.stringify({ lines: report.lines, events: report.events, counts: report.counts, matches: report.matches })}\n`);
  } else {
    process.stdout.write(formatReport(file, report, loadedRules.rules.map((r) => r.id)));
  }
  return 0;
}

/**
 * The size of a log file, Infinity for a pipe (`zcat bot.log.2.gz | vigia test-rules /dev/stdin`: read to its end,
 * in one thread), or why it cannot be read (one line for the console). A device is refused: /dev/zero never ends.
 */
function measureLogFile(file: string): number | string {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return "is a folder, not a log file";
    if (!stats.isFile() && !stats.isFIFO()) return "not a regular file or a pipe";
    accessSync(file, constants.R_OK);
    return stats.isFIFO() ? Infinity : stats.size;
  } catch (error) {
    return describeFsError(error);
  }
}

/** Below this size the file is read in one thread: starting a worker costs more than it saves. */
const SPLIT_FROM_BYTES = 16 * 1024 * 1024;
/** How far past the middle a line that starts an event is looked for. */
const SPLIT_SEARCH_BYTES = 1024 * 1024;

/**
 * Runs the rules over a file. A big file is cut in two at an event's first line near its middle, and the second
 * half runs in a worker thread: both halves are read, split, grouped and matched at once, and their figures merge
 * into what one pass gives (line numbers of the second half shifted by the first half's lines).
 */
export async function testRulesOnFile(
  file: string,
  size: number,
  rules: readonly CompiledRule[],
  sourceName: string,
  start: RegExp | null,
): Promise<TestRulesReport> {
  const showProgress = process.stderr.isTTY && size > 20_000_000 && Number.isFinite(size);
  const started = performance.now();
  const split = size >= SPLIT_FROM_BYTES && Number.isFinite(size) ? findSplitOffset(file, size, start) : null;
  const firstEnd = split ?? size;
  const second = split === null ? null : runRangeInWorker({ file, start: split, end: size, rules, sourceName, startPattern: start });
  const first = await testRulesOnRange({
    file,
    start: 0,
    end: firstEnd,
    rules,
    sourceName,
    startPattern: start,
    onProgress: showProgress ? (done, lines) => process.stderr.write(`\r${Math.min(100, Math.round((done / firstEnd) * 100))} % (${lines} lines)`) : undefined,
  });
  const rest = second ? await second : null;
  if (showProgress) process.stderr.write("\n");
  const report = rest ? mergeRanges(first, rest) : first;
  const seconds = (performance.now() - started) / 1000;
  return {
    ...report,
    unmatched: report.events - report.matches.length,
    seconds,
    lines_per_second: seconds > 0 ? Math.round(report.lines / seconds) : report.lines,
  };
}

/**
 * Where to cut the file: the first byte of a line near the middle that begins an event (matches the start
 * pattern; any line without one), so that no event spans the cut. Null when there is none within
 * SPLIT_SEARCH_BYTES, or when the file is UTF-16 (only its first bytes say so).
 */
function findSplitOffset(file: string, size: number, start: RegExp | null): number | null {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return null;
    const from = Math.floor(size / 2);
    const window = Buffer.alloc(Math.min(SPLIT_SEARCH_BYTES, size - from));
    const n = readSync(fd, window, 0, window.length, from);
    const pattern = start ? new RegExp(start.source, start.flags.replace(/[gy]/g, "")) : null;
    for (let nl = window.indexOf(0x0a); nl !== -1 && nl + 1 < n; nl = window.indexOf(0x0a, nl + 1)) {
      const lineEnd = window.indexOf(0x0a, nl + 1);
      if (lineEnd === -1) break;
      const line = window.toString("utf8", nl + 1, lineEnd).replace(/\r$/, "");
      if (pattern === null || pattern.test(line)) return from + nl + 1;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function runRangeInWorker(spec: Omit<RangeSpec, "onProgress">): Promise<RangeReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(resolveWorkerScript(import.meta.url, "test-rules-worker"), { workerData: spec });
    worker.once("message", (message: { report?: RangeReport; error?: string }) => {
      if (message.report) resolve(message.report);
      else reject(new Error(message.error ?? "test-rules worker failed"));
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

/** The figures of two consecutive ranges as those of one. */
function mergeRanges(a: RangeReport, b: RangeReport): RangeReport {
  const counts = { ...a.counts };
  for (const [id, n] of Object.entries(b.counts)) counts[id] = (counts[id] ?? 0) + n;
  return {
    lines: a.lines + b.lines,
    events: a.events + b.events,
    counts,
    matches: [...a.matches, ...b.matches.map((m) => ({ ...m, line: m.line + a.lines }))],
    splitTracebackLine: a.splitTracebackLine ?? (b.splitTracebackLine === null ? null : b.splitTracebackLine + a.lines),
  };
}

function formatReport(file: string, r: TestRulesReport, ruleIds: string[]): string {
  const lines = [`Running rules over ${file}`, "", `Lines: ${r.lines}, events: ${r.events}, matched: ${r.matches.length}, unmatched: ${r.unmatched}`, "", "Hits per rule:"];
  const width = Math.max(4, ...ruleIds.map((id) => id.length));
  for (const id of ruleIds) lines.push(`  ${id.padEnd(width)}  ${String(r.counts[id] ?? 0).padStart(7)}`);
  for (const id of ruleIds) {
    const sample = r.matches.filter((m) => m.rule === id).slice(0, SAMPLES_SHOWN);
    if (sample.length === 0) continue;
    lines.push("", `${id}:`);
    for (const m of sample) lines.push(`  line ${m.line}: ${JSON.stringify(m.fields)}`);
  }
  lines.push("", `${r.lines} lines in ${r.seconds.toFixed(3)} s (${r.lines_per_second.toLocaleString("en")} lines/s)`, "");
  return lines.join("\n");
}
