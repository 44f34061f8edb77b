import type { CheckResult } from "../types.js";
import type { VigiaMetrics } from "./metrics.js";
import { initialiseErrorTypeSeries } from "./record-incident-metrics.js";

/**
 * Sets the series of each configured check to 0 before its first run, with those of the error type its failure
 * opens. `check_up` stays absent until the first run: 0 there would claim a failure that did not happen.
 */
export function initialiseCheckSeries(metrics: VigiaMetrics, checks: readonly { id: string; errorType: string }[]): void {
  for (const check of checks) {
    for (const result of ["ok", "fail"]) metrics.checkRuns.inc({ check: check.id, result }, 0);
    metrics.checkDuration.zero({ check: check.id });
    initialiseErrorTypeSeries(metrics, check.errorType);
  }
}

/** One check result: its run counter, duration and up gauge. */
export function recordCheckResult(metrics: VigiaMetrics, result: CheckResult): void {
  metrics.checkRuns.inc({ check: result.check, result: result.ok ? "ok" : "fail" });
  metrics.checkDuration.observe({ check: result.check }, result.durationMs / 1000);
  metrics.checkUp.set({ check: result.check }, result.ok ? 1 : 0);
}
