import type { CheckResult } from "../types.js";
import { describeError } from "../util/describe-error.js";
import type { Check } from "./check.js";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";

/**
 * Runs one probe under the check's timeout and turns whatever happens (result, throw, hang) into a CheckResult.
 * A probe that ignores its abort signal still yields a timeout result on time; its late answer is dropped.
 */
export async function runCheckOnce(check: Check, clock: Clock = systemClock, outerSignal?: AbortSignal): Promise<CheckResult> {
  const startedMs = clock.now();
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outerSignal?.reason);
  outerSignal?.addEventListener("abort", onOuterAbort, { once: true });
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = clock.setTimeout(() => resolve("timeout"), check.timeoutMs);
  });
  const base = { check: check.id, kind: check.kind, errorType: check.errorType, atMs: startedMs };
  const elapsedMs = (): number => Math.round(clock.now() - startedMs);
  try {
    const outcome = await Promise.race([check.probe(controller.signal), timedOut]);
    if (outcome === "timeout") {
      controller.abort(new Error("check timeout"));
      return {
        ...base,
        ok: false,
        severity: check.severity,
        message: `check timed out after ${check.timeoutMs} ms`,
        motivo: `la comprobación no terminó en ${check.timeoutMs} ms`,
        durationMs: elapsedMs(),
        fields: { reason: "check_timeout" },
      };
    }
    return {
      ...base,
      ok: outcome.ok,
      severity: outcome.ok ? "info" : (outcome.severity ?? check.severity),
      message: outcome.message,
      motivo: outcome.motivo,
      durationMs: elapsedMs(),
      fields: outcome.fields ?? {},
    };
  } catch (error) {
    return {
      ...base,
      ok: false,
      severity: check.severity,
      message: `check failed: ${describeError(error)}`,
      motivo: `la comprobación falló: ${describeError(error)}`,
      durationMs: elapsedMs(),
      fields: { reason: "check_error" },
    };
  } finally {
    clock.clearTimeout(timer);
    outerSignal?.removeEventListener("abort", onOuterAbort);
  }
}
