import type { RemediationObserver } from "../remediation/executor-options.js";
import type { CompiledRule } from "../types.js";
import type { VigiaMetrics } from "./metrics.js";

const OUTCOMES = ["solucionado", "fallido", "cancelado"] as const;
const ACTION_RESULTS = ["ok", "failed", "dry_run"] as const;

/** Sets a rule's remediation series to 0: attempts, each outcome, and each of its action types by result. */
export function initialiseRemediationSeries(metrics: VigiaMetrics, rule: CompiledRule): void {
  metrics.remediationAttempts.inc({ rule: rule.id }, 0);
  for (const outcome of OUTCOMES) metrics.remediationOutcomes.inc({ rule: rule.id, outcome }, 0);
  for (const action of new Set(rule.actions.map((spec) => spec.type))) {
    for (const result of ACTION_RESULTS) metrics.remediationActions.inc({ rule: rule.id, action, result }, 0);
    metrics.remediationActionDuration.zero({ action });
  }
}

/** The executor's observer: counts attempts, actions (with their duration) and how each job ended. */
export function createRemediationRecorder(metrics: VigiaMetrics): RemediationObserver {
  return {
    attemptStarted(rule) {
      metrics.remediationAttempts.inc({ rule: rule.id });
    },
    actionEnded(rule, result) {
      const outcome = result.dryRun ? "dry_run" : result.ok ? "ok" : "failed";
      metrics.remediationActions.inc({ rule: rule.id, action: result.action, result: outcome });
      metrics.remediationActionDuration.observe({ action: result.action }, result.durationMs / 1000);
    },
    jobEnded(rule, estado) {
      metrics.remediationOutcomes.inc({ rule: rule.id, outcome: estado });
    },
  };
}

/** Makes the running and queued gauges read the executor's load at each scrape (the figures /health shows). */
export function trackRemediationLoad(metrics: VigiaMetrics, readLoad: () => { running: number; queued: number }): void {
  metrics.readOnScrape(metrics.remediationRunning, (gauge) => gauge.set(readLoad().running));
  metrics.readOnScrape(metrics.remediationQueued, (gauge) => gauge.set(readLoad().queued));
}
