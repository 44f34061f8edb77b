import type { Observable, Subscription } from "rxjs";
import type { CompiledRule, MatchedBatch } from "../types.js";
import type { VigiaMetrics } from "./metrics.js";
import { initialiseErrorTypeSeries } from "./record-incident-metrics.js";
import { initialiseRemediationSeries } from "./record-remediation-metrics.js";

/** The rules in force (at start and at each reload): their count, and every series of each rule at 0. */
export function recordRulesLoaded(metrics: VigiaMetrics, rules: readonly CompiledRule[]): void {
  metrics.rulesLoaded.set(rules.length);
  for (const rule of rules) {
    metrics.ruleMatches.inc({ rule: rule.id }, 0);
    metrics.thresholdHeldMatches.inc({ rule: rule.id }, 0);
    initialiseErrorTypeSeries(metrics, rule.id);
    initialiseRemediationSeries(metrics, rule);
  }
}

/** Counts the matches of each rule as they come out of matching; unsubscribe to stop. */
export function recordRuleMatches(matched$: Observable<MatchedBatch>, metrics: VigiaMetrics): Subscription {
  return matched$.subscribe(({ matches }) => {
    for (const match of matches) metrics.ruleMatches.inc({ rule: match.rule.id });
  });
}
