/**
 * An independent reading of a log file and a rule file, to check `vigia test-rules` and the engine against:
 * plain `RegExp`s built from the YAML, the contract's semantics written out again (events start at a line
 * matching the source's `multiline.start`; the first rule in file order whose `match` hits and no `exclude`
 * hits claims the event; fields are the named captures of `match`, then of each `extract`, first value kept).
 * Nothing here imports vigia's code.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The Python logging timestamp of the default sources (docs/configuration.md). */
export const PYTHON_START = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;

interface RawRule {
  id: string;
  match: string;
  flags?: string;
  exclude?: string[];
  extract?: string[];
  sources?: string[];
}

/** One event as the oracle sees it: its first line's 1-based number and its text. */
export interface OracleEvent {
  line: number;
  text: string;
}

/** What the oracle expects of one event. */
export interface OracleMatch {
  line: number;
  rule: string;
  fields: Record<string, string>;
}

/** Splits a file into lines the way a tailer does: `\n` ends a line, a trailing `\r` is dropped. */
export function readLogLines(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => l.replace(/\r$/, ""));
}

/** Groups lines into events: a start line opens one, other lines join it (a leading orphan is its own event). */
export function groupEvents(lines: readonly string[], start: RegExp | null): OracleEvent[] {
  const events: OracleEvent[] = [];
  lines.forEach((text, i) => {
    const last = events[events.length - 1];
    if (start && last && !start.test(text)) last.text += `\n${text}`;
    else events.push({ line: i + 1, text });
  });
  return events;
}

/** The rules of a rule file, in file order. */
export function readRules(file: string): RawRule[] {
  return (parse(readFileSync(file, "utf8")) as { rules: RawRule[] }).rules;
}

function addGroups(fields: Record<string, string>, groups: Record<string, string | undefined> | undefined): void {
  for (const [name, value] of Object.entries(groups ?? {})) if (value !== undefined && !(name in fields)) fields[name] = value;
}

/** The first rule claiming each event, with its fields. */
export function matchEvents(events: readonly OracleEvent[], rules: readonly RawRule[], source: string): OracleMatch[] {
  const compiled = rules
    .filter((r) => !r.sources || r.sources.includes(source))
    .map((r) => ({
      id: r.id,
      match: new RegExp(r.match, r.flags ?? ""),
      exclude: (r.exclude ?? []).map((e) => new RegExp(e, r.flags ?? "")),
      extract: (r.extract ?? []).map((e) => new RegExp(e, r.flags ?? "")),
    }));
  const out: OracleMatch[] = [];
  for (const event of events) {
    for (const rule of compiled) {
      const m = rule.match.exec(event.text);
      if (!m || rule.exclude.some((e) => e.test(event.text))) continue;
      const fields: Record<string, string> = {};
      addGroups(fields, m.groups);
      for (const re of rule.extract) addGroups(fields, re.exec(event.text)?.groups);
      out.push({ line: event.line, rule: rule.id, fields });
      break;
    }
  }
  return out;
}

/** Matches per rule id, every rule listed (0 when it has none). */
export function countByRule(matches: readonly OracleMatch[], rules: readonly RawRule[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(rules.map((r) => [r.id, 0]));
  for (const m of matches) counts[m.rule] = (counts[m.rule] ?? 0) + 1;
  return counts;
}
