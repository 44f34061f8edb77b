import type { CompiledRule, LogEvent, RuleMatch } from "../types.js";
import { fillTemplate } from "../util/template.js";
import { buildPrefilter, type Prefilter } from "./build-prefilter.js";

/** Finds the rule that claims an event (first match wins, in file order), or null. */
export type RuleMatcher = (event: LogEvent) => RuleMatch | null;

/**
 * The correlation key of a match: `rule:filled-key-template`, or, without a template, the rule id followed
 * by every field sorted by name (`ruta_inexistente:path=modelos/ana/x.mp4`). Fields a template names but
 * the event did not capture are left empty rather than failing the match.
 */
export function buildMatchKey(rule: CompiledRule, fields: Readonly<Record<string, string>>): string {
  if (rule.keyTemplate !== null) return `${rule.id}:${fillTemplate(rule.keyTemplate, fields, () => "")}`;
  const names = Object.keys(fields).sort();
  if (names.length === 0) return rule.id;
  return `${rule.id}:${names.map((n) => `${n}=${fields[n]}`).join(",")}`;
}

/**
 * One rule against one event, source filter aside: `match`, then `exclude` (any hit cancels), then the
 * named captures of `match` and of each `extract` regex as fields (undefined groups left out; a name
 * already captured keeps its first value). This is the reference meaning; the matcher only adds shortcuts.
 */
export function applyRule(rule: CompiledRule, event: LogEvent): RuleMatch | null {
  const text = event.text;
  const m = rule.match.exec(text);
  if (m === null) return null;
  for (const ex of rule.exclude) if (ex.test(text)) return null;
  const fields: Record<string, string> = {};
  addGroups(fields, m.groups);
  for (const re of rule.extract) {
    const em = re.exec(text);
    if (em) addGroups(fields, em.groups);
  }
  return { rule, event, fields, key: buildMatchKey(rule, fields) };
}

function addGroups(fields: Record<string, string>, groups: Record<string, string | undefined> | undefined): void {
  if (!groups) return;
  for (const name in groups) {
    const value = groups[name];
    if (value !== undefined && !(name in fields)) fields[name] = value;
  }
}

/** True when the rule listens to the event's source. */
export function acceptsSource(rule: CompiledRule, source: string): boolean {
  return rule.sources === null || rule.sources.has(source);
}

/** Every rule that would claim the event on its own, in order (the samples check: two claimers is a bug). */
export function findClaimingRules(rules: readonly CompiledRule[], event: LogEvent): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const rule of rules) {
    if (!acceptsSource(rule, event.source)) continue;
    const m = applyRule(rule, event);
    if (m) out.push(m);
  }
  return out;
}

/** The plain loop the matcher must agree with: first rule in order that claims the event. */
export function matchFirstRule(rules: readonly CompiledRule[], event: LogEvent): RuleMatch | null {
  for (const rule of rules) {
    if (!acceptsSource(rule, event.source)) continue;
    const m = applyRule(rule, event);
    if (m) return m;
  }
  return null;
}

/** The rules of one source with their prefilter, built on the first event of that source. */
interface SourcePlan {
  rules: CompiledRule[];
  prefilter: Prefilter;
  /** Rules with no gate (tested on every event). */
  ungated: number;
  /** Per-event scratch: 1 for each rule a gate let the event through to. */
  marks: Uint8Array;
  /** Whether `marks` holds something from the last event. */
  marked: boolean;
}

/**
 * Builds the hot-path matcher. Semantics are exactly `matchFirstRule`'s; speed comes from the gates in front of
 * the rules, per source (see buildPrefilter): most log lines match no rule, and for them the whole cost is one scan
 * for the rules' required literals. Only the rules a gate lets an event through to are tried, one by one, in order.
 */
export function createRuleMatcher(rules: readonly CompiledRule[]): RuleMatcher {
  const plans = new Map<string, SourcePlan>();
  const planFor = (source: string): SourcePlan => {
    let plan = plans.get(source);
    if (!plan) {
      const own = rules.filter((r) => acceptsSource(r, source));
      const prefilter = buildPrefilter(own);
      const ungated = prefilter.groupOf.reduce((n, g) => (g < 0 ? n + 1 : n), 0);
      plan = { rules: own, prefilter, ungated, marks: new Uint8Array(own.length), marked: false };
      plans.set(source, plan);
    }
    return plan;
  };

  return (event: LogEvent): RuleMatch | null => {
    const plan = planFor(event.source);
    const { groups, groupOf } = plan.prefilter;
    const { marks } = plan;
    const text = event.text;
    if (plan.marked) marks.fill(0);
    let open = false;
    for (const group of groups) {
      if (group.scanner !== null) {
        if (group.scanner.mark(text, marks)) open = true;
      } else if (group.pattern!.test(text)) {
        for (const i of group.ruleIndexes) marks[i] = 1;
        open = true;
      }
    }
    plan.marked = open;
    if (!open && plan.ungated === 0) return null;
    const own = plan.rules;
    for (let i = 0; i < own.length; i++) {
      if (groupOf[i]! >= 0 && marks[i] === 0) continue;
      const m = applyRule(own[i]!, event);
      if (m) return m;
    }
    return null;
  };
}
