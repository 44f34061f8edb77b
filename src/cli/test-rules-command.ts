import { accessSync, constants, createReadStream, statSync } from "node:fs";
import { resolve } from "node:path";
import { MultilineGrouper } from "../events/multiline-grouper.js";
import { readLinesFromStream } from "../sources/index.js";
import { loadRules } from "../rules/load-rules.js";
import { createRuleMatcher } from "../rules/match-rules.js";
import { formatProblem } from "../util/problems.js";
import type { LogEvent, SourceLine } from "../types.js";
import { loadCliConfig } from "./load-cli-config.js";
import { toRuleSource } from "../rules/rule-source.js";
import { UsageError } from "./main.js";

/** The `--json` document of the contract. */
export interface TestRulesReport {
  lines: number;
  events: number;
  counts: Record<string, number>;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
  unmatched: number;
  seconds: number;
  lines_per_second: number;
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
  if (values["json"]) {
    process.stdout.write(`${JSON.stringify({ lines: report.lines, events: report.events, counts: report.counts, matches: report.matches })}\n`);
  } else {
    process.stdout.write(formatReport(file, report, loadedRules.rules.map((r) => r.id)));
  }
  return 0;
}

/** The size of a log file, or why it cannot be read (one line for the console). */
function measureLogFile(file: string): number | string {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return "is a folder, not a log file";
    accessSync(file, constants.R_OK);
    return stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file or directory";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    return code ?? (error as Error).message;
  }
}

/**
 * Runs the rules over a file. Lines are numbered by putting the 1-based line number in the offset fields,
 * so an event's `offset` is the number of its first line.
 */
export async function testRulesOnFile(
  file: string,
  size: number,
  rules: Parameters<typeof createRuleMatcher>[0],
  sourceName: string,
  start: RegExp | null,
): Promise<TestRulesReport> {
  const matcher = createRuleMatcher(rules);
  const grouper = new MultilineGrouper({ startPatterns: start ? { [sourceName]: start } : {}, maxEventLines: 200 });
  const counts: Record<string, number> = Object.fromEntries(rules.map((r) => [r.id, 0]));
  const matches: TestRulesReport["matches"] = [];
  let lineNo = 0;
  let eventCount = 0;
  let bytesDone = 0;
  const progress = process.stderr.isTTY && size > 20_000_000;
  const started = performance.now();
  const onEvents = (events: LogEvent[]) => {
    eventCount += events.length;
    for (const e of events) {
      const m = matcher(e);
      if (!m) continue;
      counts[m.rule.id] = (counts[m.rule.id] ?? 0) + 1;
      matches.push({ line: e.offset, rule: m.rule.id, fields: m.fields });
    }
  };
  const out: LogEvent[] = [];
  await readLinesFromStream(createReadStream(file, { highWaterMark: 1 << 20 }), sourceName, (lines: SourceLine[]) => {
    for (const l of lines) {
      lineNo++;
      l.offset = lineNo;
      l.endOffset = lineNo + 1;
      bytesDone += l.text.length + 1;
    }
    grouper.push(lines, 0, out);
    onEvents(out.splice(0));
    if (progress) process.stderr.write(`\r${Math.min(100, Math.round((bytesDone / size) * 100))} % (${lineNo} lines)`);
  }, { file });
  grouper.flushAll(out);
  onEvents(out.splice(0));
  if (progress) process.stderr.write("\n");
  const seconds = (performance.now() - started) / 1000;
  return {
    lines: lineNo,
    events: eventCount,
    counts,
    matches,
    unmatched: eventCount - matches.length,
    seconds,
    lines_per_second: seconds > 0 ? Math.round(lineNo / seconds) : lineNo,
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
