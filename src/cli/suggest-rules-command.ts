import { createReadStream, existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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
import type { CompiledRule, LogEvent, SourceLine } from "../types.js";
import { loadCliConfig } from "./load-cli-config.js";

/**
 * `vigia suggest-rules [LOGFILE…]`: a YAML rule stub for each error template no rule claims (from the files, else
 * from `desconocidos.json` beside the journal), printed on stdout; each stub's samples go to `<rules>/samples/<id>.log`.
 */
export async function runSuggestRulesCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
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
    templates = [];
    for (const file of positionals) {
      const found = await collectUnclaimed(resolve(file), rules.rules, source?.name ?? "bot", source?.multiline?.start ?? null);
      if (typeof found === "string") {
        process.stderr.write(`vigia suggest-rules: cannot read ${file}: ${found}\n`);
        return 1;
      }
      templates.push(...found);
    }
  } else {
    const stored = readStoredTemplates(join(dirname(config.journalPath), "desconocidos.json"));
    if (typeof stored === "string") {
      process.stderr.write(`vigia suggest-rules: ${stored}\n`);
      return 1;
    }
    const matcher = createRuleMatcher(rules.rules);
    // A template a rule added since then already claims is not suggested again.
    templates = stored.filter((t) => !t.ejemplos.some((text) => matcher(toEvent(text, t.fuentes[0] ?? "bot"))));
  }
  const taken = new Set(rules.rules.map((r) => r.id));
  const suggestions = templates.map((t) => suggestRule(t, taken));
  const samplesDir = locateSamplesDir(ruleSource);
  process.stdout.write(formatSuggestions(suggestions));
  for (const s of suggestions) {
    if (!s.ok) {
      process.stderr.write(`no stub for template ${s.template.id} (${s.template.plantilla.split("\n")[0]}): ${s.reason}\n`);
      continue;
    }
    const file = join(samplesDir, `${s.id}.log`);
    if (existsSync(file)) {
      process.stderr.write(`${relative(process.cwd(), file)} exists, left as it is\n`);
      continue;
    }
    mkdirSync(samplesDir, { recursive: true });
    writeFileSync(file, s.sampleLog);
    process.stderr.write(`wrote ${relative(process.cwd(), file)}\n`);
  }
  if (suggestions.length === 0) process.stderr.write("every error template is claimed by a rule: nothing to suggest\n");
  return 0;
}

function formatSuggestions(suggestions: RuleSuggestion[]): string {
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

/** The error events of a file no rule claims, grouped by template (same grouping as `vigia run`). */
async function collectUnclaimed(file: string, rules: readonly CompiledRule[], sourceName: string, start: RegExp | null): Promise<UnknownTemplate[] | string> {
  const store = new UnknownErrorStore({ path: null, alertAfter: Infinity, alertWithinMs: 0, onAlert: () => undefined, onError: () => undefined });
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
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file or directory" : code ?? (error as Error).message;
  }
  grouper.flushAll(out);
  take();
  return store.list();
}

function readStoredTemplates(path: string): UnknownTemplate[] | string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // Not written yet: no error nobody claims was seen.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    return `${path}: ${(error as Error).message}`;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) return `${path}: expected a JSON array`;
    return (parsed as UnknownTemplate[]).filter((t) => typeof t?.plantilla === "string" && Array.isArray(t.ejemplos));
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  }
}

function toEvent(text: string, source: string): LogEvent {
  return { source, file: "<desconocidos>", fileId: "<desconocidos>", text, lineCount: text.split("\n").length, offset: -1, endOffset: -1, readAtMs: 0 };
}
