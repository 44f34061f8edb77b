import type { ActionSpec, CompiledRule, NotifyPolicy, Severity, VerifySpec } from "../types.js";
import type { Problem } from "../util/problems.js";
import { formatFieldPath } from "../util/problems.js";
import { CONFIG_TEMPLATE_VALUES, fillRegExpTemplate, isConfigTemplateName, isKnownConfigTemplateName, listTemplateFields } from "../util/template.js";
import { checkRegexSafety, DEFAULT_REDOS_TIMEOUT_MS } from "./check-regex-safety.js";
import { listCaptureNames } from "./list-capture-names.js";

/** A rule as written in a file, after schema validation (so the shapes are known, the values unchecked). */
export interface RawRule {
  id: string;
  description?: string;
  match: string;
  flags?: string;
  exclude?: string[];
  sources?: string[];
  severity?: Severity;
  key?: string;
  cooldown?: number;
  threshold?: { count: number; within: number };
  depends_on?: string[];
  extract?: string[];
  actions?: ActionSpec[];
  verify?: VerifySpec;
  resolve_on?: string;
  retries?: number;
  backoff?: number[];
  notify?: NotifyPolicy;
  notify_template?: string;
  max_reopen?: number;
}

/**
 * A compiled rule plus the keys `CompiledRule` (src/types.ts) does not carry yet. Assignable to
 * `CompiledRule`, so every stage can keep using the shared type.
 */
export interface LoadedRule extends CompiledRule {
  /** How often a fix that stops holding may reopen an incident within one cooldown. */
  maxReopen: number;
}

/** The defaults of optional rule keys, applied here and nowhere else (the schema only documents them). */
const RULE_DEFAULTS = {
  severity: "warning" as Severity,
  cooldownSeconds: 60,
  notify: "on_failure" as NotifyPolicy,
  maxReopen: 3,
} as const;

/** Where a rule sits in its file: enough to give every problem a file, line and field path. */
export interface RuleLocation {
  file: string;
  /** Index of the rule in the file's `rules` array. */
  index: number;
  /** Line of a path below the rule (`["match"]`, `["exclude", 1]`). */
  lineOf(path: ReadonlyArray<string | number>): number;
}

export interface CompileRuleOptions {
  /** Time budget of each ReDoS check (recheck); past it the regex is accepted. */
  redosTimeoutMs?: number;
  /** Where ReDoS verdicts are kept between runs; null = memory only. Default: node_modules/.cache/vigia. */
  redosCacheFile?: string | null;
}

/**
 * Turns one validated raw rule into a `LoadedRule`: compiles each regex once (match, exclude, extract,
 * and a probe of resolve_on), refuses catastrophic backtracking, checks that every template names a field
 * the rule can capture, and converts seconds to milliseconds. Returns problems instead of throwing.
 */
export function compileRule(
  raw: RawRule,
  at: RuleLocation,
  options: CompileRuleOptions = {},
): { rule: LoadedRule | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (path: Array<string | number>, message: string): void => {
    problems.push({ file: at.file, line: at.lineOf(path), field: formatFieldPath(["rules", at.index, ...path]), message });
  };
  const safetyOptions = {
    timeoutMs: options.redosTimeoutMs ?? DEFAULT_REDOS_TIMEOUT_MS,
    ...(options.redosCacheFile !== undefined ? { cacheFile: options.redosCacheFile } : {}),
  };
  const flags = raw.flags ?? "";

  // Every regex of a rule (match, exclude, extract, resolve_on) is compiled with the rule's flags.
  const compile = (source: string, path: Array<string | number>): RegExp | null => {
    let re: RegExp;
    try {
      re = new RegExp(source, flags);
    } catch (error) {
      // A flags error belongs to the `flags` key, not to the pattern that happens to be compiled first.
      const message = (error as Error).message;
      if (/flags/i.test(message) && !/regular expression/i.test(message)) report(["flags"], message);
      else report(path, message);
      return null;
    }
    const safety = checkRegexSafety(source, flags, safetyOptions);
    if (safety.status === "vulnerable") {
      const where = safety.alternative !== null ? ` in alternative '${shortenSource(safety.alternative)}'` : "";
      const why = safety.nestedBounds
        ? `nested bounded repetition multiplies into ${safety.complexity} time (widened, it fails on input like ${safety.attack}); flatten the nesting or use one quantifier`
        : `${safety.complexity} time on input like ${safety.attack}`;
      report(path, `regex can backtrack catastrophically${where}: ${why}`);
      return null;
    }
    return re;
  };

  const match = compile(raw.match, ["match"]);
  if (match === null && problems.some((p) => p.field.endsWith(".flags"))) return { rule: null, problems };
  const exclude = (raw.exclude ?? []).map((s, i) => compile(s, ["exclude", i]));
  const extract = (raw.extract ?? []).map((s, i) => compile(s, ["extract", i]));

  const captured = new Set<string>();
  for (const re of [match, ...extract]) if (re) for (const name of listCaptureNames(re)) captured.add(name);
  // Unknown template fields can only be judged when every capturing regex compiled.
  if (match && extract.every((re) => re !== null)) {
    const checkTemplate = (template: string, path: Array<string | number>): void => {
      // Config values exist when remediation runs, not when a line is matched: actions and verify only.
      const configAllowed = path[0] === "actions" || path[0] === "verify";
      for (const name of listTemplateFields(template)) {
        if (isConfigTemplateName(name)) {
          if (!isKnownConfigTemplateName(name)) {
            report(path, `unknown config value '${name}' (known: ${Object.keys(CONFIG_TEMPLATE_VALUES).join(", ")})`);
          } else if (!configAllowed) {
            report(path, `config value '${name}' is only available in actions and verify`);
          }
        } else if (!captured.has(name)) {
          const known = captured.size ? [...captured].sort().join(", ") : "none";
          report(path, `template names field '${name}', which neither match nor extract captures (captured: ${known})`);
        }
      }
    };
    if (raw.key !== undefined) checkTemplate(raw.key, ["key"]);
    (raw.actions ?? []).forEach((a, i) => visitStrings(a, ["actions", i], checkTemplate));
    if (raw.verify) visitStrings(raw.verify, ["verify"], checkTemplate);
    if (raw.resolve_on !== undefined) {
      checkTemplate(raw.resolve_on, ["resolve_on"]);
      // Fields are regex-escaped on use, so a probe value shows whether the template is a valid, safe regex.
      // The probe avoids the template's own characters: a `.*` before a value is only harmless when the
      // value's characters happen to recur, which a real value cannot be trusted to do.
      const probe = [..."QZJ~#%"].find((c) => !raw.resolve_on!.includes(c)) ?? "Q";
      const probeFields = Object.fromEntries(listTemplateFields(raw.resolve_on).map((n) => [n, probe]));
      compile(fillRegExpTemplate(raw.resolve_on, probeFields), ["resolve_on"]);
    }
  }

  if (raw.depends_on?.includes(raw.id)) report(["depends_on"], `rule '${raw.id}' cannot depend on itself`);
  if (problems.length > 0 || !match) return { rule: null, problems };

  const rule: LoadedRule = {
    id: raw.id,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    match,
    exclude: exclude as RegExp[],
    sources: raw.sources ? new Set(raw.sources) : null,
    severity: raw.severity ?? RULE_DEFAULTS.severity,
    keyTemplate: raw.key ?? null,
    cooldownMs: toMs(raw.cooldown ?? RULE_DEFAULTS.cooldownSeconds),
    threshold: raw.threshold ? { count: raw.threshold.count, withinMs: toMs(raw.threshold.within) } : null,
    dependsOn: [...(raw.depends_on ?? [])],
    extract: extract as RegExp[],
    actions: raw.actions ?? [],
    verify: raw.verify ?? null,
    resolveOn: raw.resolve_on ?? null,
    retries: raw.retries ?? null,
    backoffMs: raw.backoff ? raw.backoff.map(toMs) : null,
    notify: raw.notify ?? RULE_DEFAULTS.notify,
    notifyTemplate: raw.notify_template ?? null,
    maxReopen: raw.max_reopen ?? RULE_DEFAULTS.maxReopen,
    file: at.file,
    line: at.lineOf([]),
  };
  return { rule, problems };
}

function shortenSource(source: string): string {
  return source.length > 60 ? `${source.slice(0, 57)}...` : source;
}

function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Calls `visit` on every string inside an action or verify spec (exec argv items, env values…). */
function visitStrings(
  value: unknown,
  path: Array<string | number>,
  visit: (text: string, path: Array<string | number>) => void,
): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => visitStrings(v, [...path, i], visit));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) visitStrings(v, [...path, k], visit);
  }
}
