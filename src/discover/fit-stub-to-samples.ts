/**
 * A stub must pass `vigia check --samples` next to the rules already in force, whose annotated samples say which
 * rule claims each event, or `none`. A stub that would claim another rule's sample overlaps that rule: it is not
 * offered. A stub that claims an event annotated `none` (a line the shipped rules must leave alone, such as a
 * getUpdates conflict) is what the user asks for: that annotation is rewritten to name the stub.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_EXTENSION } from "../rules/check-samples.js";
import { parseSampleLog, type SampleEvent } from "../rules/parse-sample-log.js";
import type { RuleSuggestion } from "./suggest-rule.js";

interface AnnotatedSampleFile {
  file: string;
  events: readonly SampleEvent[];
}

export interface ClaimedSample {
  file: string;
  /** 1-based line of the event's `# expect:` annotation. */
  annotationLine: number;
  /** The rule the annotation names; null for `none`. */
  rule: string | null;
  /** What the stub captures from the event. */
  fields: Record<string, string>;
}

/** The annotated events of `files` that the stub's regex claims (rules compile with no flags by default). */
function findClaimedSamples(match: string, files: readonly AnnotatedSampleFile[]): ClaimedSample[] {
  const regex = new RegExp(match);
  return files.flatMap(({ file, events }) =>
    events.flatMap((e) => {
      const found = regex.exec(e.text);
      return found ? [{ file, annotationLine: e.annotationLine, rule: e.expect.rule, fields: pickCapturedFields(found) }] : [];
    }),
  );
}

/** The named groups that took part in the match, as a sample annotation's `fields`. */
export function pickCapturedFields(found: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(Object.entries(found.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The sample log with the `none` annotations of `claimed` naming rule `id` (and its fields) instead, each said in a comment. */
export function reannotateSamples(content: string, claimed: readonly ClaimedSample[], id: string): string {
  const byLine = new Map(claimed.map((c) => [c.annotationLine, c]));
  return content
    .split("\n")
    .flatMap((line, i) => {
      const c = byLine.get(i + 1);
      if (!c) return [line];
      return [`# Was \`none\`; claimed by \`${id}\`, suggested by \`vigia suggest-rules\`.`, `# expect: ${JSON.stringify({ rule: id, fields: c.fields })}`];
    })
    .join("\n");
}

export type FittedSuggestion = Exclude<RuleSuggestion, { ok: true }> | (Extract<RuleSuggestion, { ok: true }> & { claimsNone: ClaimedSample[] });

/**
 * Each stub against the annotated samples beside the rules (and the samples of the stubs before it): one that
 * would claim a sample another rule owns is withdrawn; the `none` samples it claims are listed for re-annotation.
 */
export function fitStubsToSamples(suggestions: RuleSuggestion[], samplesDir: string): FittedSuggestion[] {
  const files = readAnnotatedSamples(samplesDir);
  const fitted: FittedSuggestion[] = [];
  for (const s of suggestions) {
    if (!s.ok) {
      fitted.push(s);
      continue;
    }
    const own = join(samplesDir, `${s.id}.log`);
    const claimed = findClaimedSamples(s.rule.match, files).filter((c) => c.file !== own);
    const owned = claimed.find((c) => c.rule !== null && c.rule !== s.id);
    const ownSamples = parseSampleLog(s.sampleLog, own).events;
    const overlapping = fitted.find((f) => f.ok && ownSamples.some((e) => new RegExp(f.rule.match).test(e.text)));
    if (owned) {
      fitted.push({ ok: false, template: s.template, reason: `it would also claim a sample of rule '${owned.rule}' (${owned.file}:${owned.annotationLine})` });
    } else if (overlapping?.ok) {
      fitted.push({ ok: false, template: s.template, reason: `the stub ${overlapping.id} already claims its samples` });
    } else {
      fitted.push({ ...s, claimsNone: claimed });
      files.push({ file: own, events: ownSamples });
    }
  }
  return fitted;
}

function readAnnotatedSamples(samplesDir: string): AnnotatedSampleFile[] {
  let names: string[];
  try {
    names = readdirSync(samplesDir).filter((n) => n.endsWith(SAMPLE_EXTENSION));
  } catch {
    return [];
  }
  return names.map((n) => {
    const file = join(samplesDir, n);
    return { file, events: parseSampleLog(readFileSync(file, "utf8"), file).events };
  });
}
