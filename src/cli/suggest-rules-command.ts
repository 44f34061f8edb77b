import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { MultilineGrouper } from "../events/multiline-grouper.js";
import { readLinesFromStream } from "../sources/index.js";
import { loadRules } from "../rules/load-rules.js";
import { createRuleMatcher } from "../rules/match-rules.js";
import { locateSamplesDir } from "../rules/check-samples.js";
import { toRuleSource } from "../rules/rule-source.js";
import { formatProblem } from "../util/problems.js";
import { UnknownErrorStore, type UnknownTemplate } from "../discover/unknown-error-store.js";
import { suggestRule, type RuleSuggestion } from "../discover/suggest-rule.js";
import { locateUnknownErrorsFile, readUnknownTemplates } from "../discover/read-unknown-templates.js";
import { fitStubsToSamples, reannotateSamples, type ClaimedSample, type FittedSuggestion } from "../discover/fit-stub-to-samples.js";
import type { CompiledRule, LogEvent, SourceLine } from "../types.js";
import { loadCliConfig } from "./load-cli-config.js";
import { UsageError } from "./main.js";
import { OFFLINE_REDOS_TIMEOUT_MS } from "../rules/check-regex-safety.js";
import { describeFsError } from "../util/describe-error.js";

/**
 * `vigia suggest-rules [LOGFILE…]`: a YAML rule stub for each error template no rule claims (from the files, else
 * from `desconocidos.json` beside the journal), printed on stdout (YAML, or `--json`); each stub's samples go to
 * `<rules>/samples/<id>.log`.
 */
export async function runSuggestRulesCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const redosTimeoutMs = parseRedosTimeoutMs(values["redos-timeout"]);
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const config = loaded.config;
  const ruleSource = toRuleSource(config.rulePaths);
  const rules = loadRules(ruleSource);
  if (rules.problems.length > 0) {
    for (const p of rules.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  let templates: UnknownTemplate[];
  if (positionals.length > 0) {
    const source = config.sources[0];
    // One store for every file: a log and its rotated predecessors hold the same templates, counted together.
    const store = new UnknownErrorStore({ path: null, alertAfter: Infinity, alertWithinMs: 0, onAlert: () => undefined, onError: () => undefined });
    for (const file of positionals) {
      const failure = await collectUnclaimed(resolve(file), rules.rules, source?.name ?? "bot", source?.multiline?.start ?? null, store);
      if (failure !== null) {
        process.stderr.write(`vigia suggest-rules: cannot read ${file}: ${failure}\n`);
        return 1;
      }
    }
    templates = store.list();
  } else {
    const stored = readUnknownTemplates(locateUnknownErrorsFile(config.journalPath));
    if (typeof stored === "string") {
      process.stderr.write(`vigia suggest-rules: ${stored}\n`);
      return 1;
    }
    const matcher = createRuleMatcher(rules.rules);
    // A template a rule added since then already claims is not suggested again.
    templates = stored.filter((t) => !t.ejemplos.some((text) => matcher(toEvent(text, t.fuentes[0] ?? "bot"))));
  }
  const taken = new Set(rules.rules.map((r) => r.id));
  const samplesDir = locateSamplesDir(ruleSource);
  const suggestions = fitStubsToSamples(
    templates.map((t) => suggestRule(t, taken, redosTimeoutMs)),
    samplesDir,
  );
  const sampleFiles = new Map<string, string>();
  for (const s of suggestions) {
    if (!s.ok) {
      process.stderr.write(`no stub for template ${s.template.id} (${s.template.plantilla.split("\n")[0]}): ${s.reason}\n`);
      continue;
    }
    const file = join(samplesDir, `${s.id}.log`);
    sampleFiles.set(s.id, relative(process.cwd(), file));
    if (existsSync(file)) {
      process.stderr.write(`${relative(process.cwd(), file)} exists, left as it is\n`);
    } else {
      mkdirSync(samplesDir, { recursive: true });
      writeFileSync(file, s.sampleLog);
      process.stderr.write(`wrote ${relative(process.cwd(), file)}\n`);
    }
    for (const [other, claimed] of groupByFile(s.claimsNone)) {
      writeFileSync(other, reannotateSamples(readFileSync(other, "utf8"), claimed, s.id));
      process.stderr.write(`${relative(process.cwd(), other)}: ${claimed.map((c) => `line ${c.annotationLine}`).join(", ")} annotated \`none\` now expect \`${s.id}\`, which claims them\n`);
    }
  }
  if (suggestions.length === 0) process.stderr.write("every error template is claimed by a rule: nothing to suggest\n");
  process.stdout.write(values["json"] ? formatSuggestionsJson(suggestions, sampleFiles) : formatSuggestions(suggestions));
  return 0;
}

/** `--redos-timeout SECONDS` in ms; `vigia check`'s budget when absent. */
function parseRedosTimeoutMs(raw: unknown): number {
  if (raw === undefined) return OFFLINE_REDOS_TIMEOUT_MS;
  const seconds = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--redos-timeout: expected a number of seconds (0 or more), got '${String(raw)}'`);
  }
  return Math.round(seconds * 1000);
}

function groupByFile(claimed: readonly ClaimedSample[]): Map<string, ClaimedSample[]> {
  const byFile = new Map<string, ClaimedSample[]>();
  for (const c of claimed) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  return byFile;
}

/** `--json`: the stubs as data, for scripts (the rule object is what a rules file holds). */
function formatSuggestionsJson(suggestions: FittedSuggestion[], sampleFiles: ReadonlyMap<string, string>): string {
  const stubs = suggestions.flatMap((s) =>
    s.ok
      ? [
          {
            id: s.id,
            rule: s.rule,
            plantilla: s.template.plantilla,
            total: s.template.total,
            sample_file: sampleFiles.get(s.id) ?? null,
            reannotated: s.claimsNone.map((c) => ({ file: relative(process.cwd(), c.file), line: c.annotationLine })),
          },
        ]
      : [],
  );
  const skipped = suggestions.flatMap((s) => (s.ok ? [] : [{ plantilla: s.template.plantilla, total: s.template.total, reason: s.reason }]));
  return `${JSON.stringify({ stubs, skipped }, null, 2)}\n`;
}

function formatSuggestions(suggestions: readonly RuleSuggestion[]): string {
  const made = suggestions.filter((s): s is Extract<RuleSuggestion, { ok: true }> => s.ok);
  if (made.length === 0) return "";
  const head = [
    "# Rule stubs suggested by `vigia suggest-rules`: review the regex, pick a severity, add actions, and save",
    "# the ones you keep into a file under rules/ (reloaded while vigia runs).",
  ];
  const body = made.map((s) => `# ${s.template.total} × ${s.template.plantilla.split("\n").join(" … ")}\n${stringify([s.rule], { lineWidth: 0 })}`);
  return `${head.join("\n")}\nrules:\n${body.map((b) => indent(b)).join("\n")}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
}

/** Counts the error events of a file no rule claims into `store` (same grouping as `vigia run`); null, or why the file could not be read. */
async function collectUnclaimed(file: string, rules: readonly CompiledRule[], sourceName: string, start: RegExp | null, store: UnknownErrorStore): Promise<string | null> {
  const matcher = createRuleMatcher(rules);
  const grouper = new MultilineGrouper({ startPatterns: start ? { [sourceName]: start } : {}, maxEventLines: 200 });
  const out: LogEvent[] = [];
  const take = (): void => {
    for (const e of out.splice(0)) if (!matcher(e)) store.observe({ source: e.source, text: e.text, atMs: Date.now() });
  };
  try {
    await readLinesFromStream(createReadStream(file), sourceName, (lines: SourceLine[]) => {
      grouper.push(lines, 0, out);
      take();
    }, { file });
  } catch (error) {
    return describeFsError(error);
  }
  grouper.flushAll(out);
  take();
  return null;
}

function toEvent(text: string, source: string): LogEvent {
  return { source, file: "<desconocidos>", fileId: "<desconocidos>", text, lineCount: text.split("\n").length, offset: -1, endOffset: -1, readAtMs: 0 };
}
