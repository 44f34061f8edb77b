import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import type { Problem } from "../util/problems.js";
import { convertAjvErrors, formatFieldPath, parseLocated, splitInstancePath } from "../util/problems.js";
import { compileRule, type CompileRuleOptions, type LoadedRule, type RawRule } from "./compile-rule.js";
import { RULE_FILE_SCHEMA } from "./rule-schema.js";
import { describeFsError } from "../util/describe-error.js";

/** What a load produced: the good rules, every problem found, and how many rules each file gave. */
export interface LoadRulesResult {
  /** In file order (files sorted by name), then declaration order: the order "first match wins" uses. */
  rules: LoadedRule[];
  problems: Problem[];
  files: Array<{ file: string; rules: number }>;
}

export type LoadRulesOptions = CompileRuleOptions;

export const RULE_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

let validateRuleFile: ValidateFunction | null = null;

/** The ajv validator, compiled on first use. Defaults are applied by the compiler, so `useDefaults` is off. */
function getRuleFileValidator(): ValidateFunction {
  validateRuleFile ??= new Ajv({ allErrors: true, strict: true, useDefaults: false }).compile(RULE_FILE_SCHEMA);
  return validateRuleFile;
}

/**
 * Lists the rule files of `from`: a folder gives its .yaml/.yml/.json files (top level only, sorted by name,
 * so a `samples/` subfolder is never read as rules); a file or a list of files is taken as given.
 */
export function listRuleFiles(from: string | readonly string[]): { files: string[]; problems: Problem[] } {
  if (typeof from !== "string") return { files: [...from], problems: [] };
  let isFolder: boolean;
  try {
    isFolder = statSync(from).isDirectory();
  } catch (error) {
    return { files: [], problems: [{ file: from, line: 0, field: "-", message: describeFsError(error) }] };
  }
  if (!isFolder) return { files: [from], problems: [] };
  const names = readdirSync(from, { withFileTypes: true })
    .filter((d) => !d.isDirectory() && (RULE_FILE_EXTENSIONS as readonly string[]).includes(extname(d.name).toLowerCase()))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    return { files: [], problems: [{ file: from, line: 0, field: "-", message: "no rule files (.yaml, .yml, .json) in this folder" }] };
  }
  return { files: names.map((n) => join(from, n)), problems: [] };
}

/**
 * Loads, validates and compiles rule files. Never throws on bad input: every problem comes back as
 * `file:line: field: message` data, and the rules that are sound are compiled anyway, so `vigia check`
 * reports everything in one pass. Callers that need all-or-nothing (hot reload) test `problems.length`.
 */
export function loadRules(from: string | readonly string[], options: LoadRulesOptions = {}): LoadRulesResult {
  const listed = listRuleFiles(from);
  const problems: Problem[] = [...listed.problems];
  const rules: LoadedRule[] = [];
  const files: LoadRulesResult["files"] = [];
  const firstDeclared = new Map<string, { file: string; line: number }>();
  const dependencyRefs: Array<{ rule: LoadedRule; problemAt: (j: number) => { line: number; field: string } }> = [];

  for (const file of listed.files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      problems.push({ file, line: 0, field: "-", message: describeFsError(error) });
      files.push({ file, rules: 0 });
      continue;
    }
    const doc = parseLocated(text, file);
    if (doc.problems.length > 0) {
      problems.push(...doc.problems);
      files.push({ file, rules: 0 });
      continue;
    }
    const validate = getRuleFileValidator();
    const rawRules: unknown[] = Array.isArray((doc.value as { rules?: unknown })?.rules)
      ? ((doc.value as { rules: unknown[] }).rules)
      : [];
    // Rules with a schema error are left out; the others still compile, so all problems show at once.
    const badIndexes = new Set<number>();
    let fileIsBad = false;
    if (!validate(doc.value)) {
      problems.push(...convertAjvErrors(validate.errors, doc));
      for (const e of validate.errors ?? []) {
        const path = splitInstancePath(e.instancePath);
        if (path[0] === "rules" && typeof path[1] === "number") badIndexes.add(path[1]);
        else fileIsBad = true;
      }
    }
    let count = 0;
    if (!fileIsBad) {
      rawRules.forEach((raw, index) => {
        if (badIndexes.has(index)) return;
        const rawRule = raw as RawRule;
        const lineOf = (path: ReadonlyArray<string | number>): number => doc.lineOf(["rules", index, ...path]);
        const first = firstDeclared.get(rawRule.id);
        if (first) {
          problems.push({
            file,
            line: lineOf(["id"]),
            field: formatFieldPath(["rules", index, "id"]),
            message: `duplicate id '${rawRule.id}': already declared at ${first.file}:${first.line}`,
          });
          return;
        }
        firstDeclared.set(rawRule.id, { file, line: lineOf(["id"]) });
        const { rule, problems: ruleProblems } = compileRule(rawRule, { file, index, lineOf }, options);
        problems.push(...ruleProblems);
        if (!rule) return;
        rules.push(rule);
        dependencyRefs.push({
          rule,
          problemAt: (j) => ({ line: lineOf(["depends_on", j]), field: formatFieldPath(["rules", index, "depends_on", j]) }),
        });
        count++;
      });
    }
    files.push({ file, rules: count });
  }

  problems.push(...checkDependencies(dependencyRefs, new Set(firstDeclared.keys())));
  return { rules, problems, files };
}

/**
 * `depends_on` must name loaded rules and must not loop: rule A waiting for B while B waits for A would
 * leave both incidents `pendiente` forever.
 */
function checkDependencies(
  refs: Array<{ rule: LoadedRule; problemAt: (j: number) => { line: number; field: string } }>,
  declaredIds: ReadonlySet<string>,
): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(refs.map((r) => [r.rule.id, r.rule]));
  for (const { rule, problemAt } of refs) {
    rule.dependsOn.forEach((dep, j) => {
      // A declared rule that failed to compile has its own problem; naming it here too would only confuse.
      if (!declaredIds.has(dep)) {
        problems.push({ file: rule.file, ...problemAt(j), message: `depends on unknown rule '${dep}'` });
      } else if (dep !== rule.id && byId.has(dep) && reaches(byId, dep, rule.id)) {
        problems.push({ file: rule.file, ...problemAt(j), message: `dependency cycle: '${dep}' depends back on '${rule.id}'` });
      }
    });
  }
  return problems;
}

/** True when `from` depends, directly or not, on `target`. */
function reaches(byId: Map<string, LoadedRule>, from: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}
