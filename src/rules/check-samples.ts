import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CompiledRule, LogEvent } from "../types.js";
import type { Problem } from "../util/problems.js";
import { createRuleMatcher, findClaimingRules } from "./match-rules.js";
import { parseSampleLog, type SampleEvent } from "./parse-sample-log.js";

export const SAMPLE_EXTENSION = ".log";

/** Where the samples of a rule folder (or of a list of rule files) live: `<folder>/samples`. */
export function locateSamplesDir(rules: string | readonly string[]): string {
  if (typeof rules === "string") return join(rules, "samples");
  return join(dirname(rules[0] ?? "."), "samples");
}

/**
 * Runs every rule over the annotated sample logs in `samplesDir` (format: parse-sample-log.ts), as
 * fail2ban's tests run its filters over `tests/files/logs/`. A problem is reported when a rule has no
 * sample file or no positive sample in it, when a sample file names no rule, when an event is not
 * annotated, when an event is claimed by another rule than annotated (or by one when `none`), when its
 * captured fields differ, and when two rules would claim the same event (all rules are tried, not only
 * the first match: overlapping rules make the outcome depend on file order).
 */
export function checkRuleSamples(rules: readonly CompiledRule[], samplesDir: string): Problem[] {
  const problems: Problem[] = [];
  let names: string[];
  try {
    names = readdirSync(samplesDir).filter((n) => n.endsWith(SAMPLE_EXTENSION)).sort();
  } catch {
    names = [];
  }
  const ids = new Set(rules.map((r) => r.id));
  const positivesByRule = new Map<string, number>();
  const withSourceFilters = createRuleMatcher(rules);
  const anySource = rules.map((r) => ({ ...r, sources: null }));
  const ignoringSources = createRuleMatcher(anySource);

  for (const name of names) {
    const file = join(samplesDir, name);
    const ownId = basename(name, SAMPLE_EXTENSION);
    if (!ids.has(ownId)) {
      problems.push({ file, line: 0, field: "-", message: `sample file for unknown rule '${ownId}'` });
    }
    let content: string;
    try {
      content = readFileSync(file, "utf8");
    } catch (error) {
      problems.push({ file, line: 0, field: "-", message: (error as Error).message });
      continue;
    }
    const parsed = parseSampleLog(content, file);
    problems.push(...parsed.problems);
    for (const sample of parsed.events) {
      if (sample.expect.rule === ownId) positivesByRule.set(ownId, (positivesByRule.get(ownId) ?? 0) + 1);
      const useSources = sample.expect.source !== null;
      const matcher = useSources ? withSourceFilters : ignoringSources;
      problems.push(...checkSample(sample, file, ids, matcher, useSources ? rules : anySource));
    }
  }

  for (const rule of rules) {
    const sampleFile = join(samplesDir, `${rule.id}${SAMPLE_EXTENSION}`);
    if (!names.includes(`${rule.id}${SAMPLE_EXTENSION}`)) {
      problems.push({ file: rule.file, line: rule.line, field: rule.id, message: `rule has no sample file (${sampleFile})` });
    } else if (!positivesByRule.get(rule.id)) {
      problems.push({ file: sampleFile, line: 0, field: rule.id, message: `no sample in this file expects rule '${rule.id}'` });
    }
  }
  return problems;
}

/** The problems of one annotated event. */
function checkSample(
  sample: SampleEvent,
  file: string,
  ids: ReadonlySet<string>,
  matcher: ReturnType<typeof createRuleMatcher>,
  rules: readonly CompiledRule[],
): Problem[] {
  const at = (message: string): Problem => ({ file, line: sample.annotationLine, field: "expect", message });
  const expected = sample.expect.rule;
  if (expected !== null && !ids.has(expected)) return [at(`annotation names unknown rule '${expected}'`)];
  const event: LogEvent = {
    source: sample.expect.source ?? "sample",
    file,
    fileId: "sample",
    text: sample.text,
    lineCount: sample.lineCount,
    offset: -1,
    endOffset: -1,
    readAtMs: 0,
  };
  const problems: Problem[] = [];
  const claimers = findClaimingRules(rules, event).map((m) => m.rule.id);
  if (claimers.length > 1) problems.push(at(`event (line ${sample.line}) is claimed by several rules: ${claimers.join(", ")}`));
  const winner = matcher(event);
  const got = winner?.rule.id ?? null;
  if (got !== expected) {
    problems.push(at(`event (line ${sample.line}) expected ${expected ? `rule '${expected}'` : "no match"}, got ${got ? `rule '${got}'` : "no match"}`));
  } else if (winner && !sameFields(winner.fields, sample.expect.fields)) {
    problems.push(at(`event (line ${sample.line}) fields differ: expected ${JSON.stringify(sortFields(sample.expect.fields))}, got ${JSON.stringify(sortFields(winner.fields))}`));
  }
  return problems;
}

function sameFields(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function sortFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}
