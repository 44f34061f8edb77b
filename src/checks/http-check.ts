/**
 * `http` check: one service's health endpoint. A failure is no answer (refused, timeout, dns), an unexpected
 * status, or a body that does not contain `expect_json`. The first success after a failure says "recuperado".
 */
import type { Severity } from "../types.js";
import type { Check, CheckProbe } from "./check.js";
import { HttpProbeError, probeHttp } from "./http-probe.js";
import { findJsonMismatch } from "./match-json-subset.js";
import { redactUrl } from "./redact-url.js";

export interface HttpCheckSpec {
  /** Service name; the check id is `http:<name>`. */
  name: string;
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  /** Per request; default 5000. */
  timeoutMs?: number;
  /** Accepted statuses; default any 2xx. */
  expectStatus?: number[];
  /** When set, the body must be JSON containing this value (subset match). */
  expectJson?: unknown;
  /** Consecutive failures before an incident; default 2. */
  failureThreshold?: number;
  /** Default critical. */
  severity?: Severity;
  intervalMs?: number;
}

export const HTTP_CHECK_DEFAULTS = { timeoutMs: 5000, failureThreshold: 2, errorType: "servicio_caido" } as const;

/** Extra time the runner grants over the request timeout, so the request reports its own "timeout" first. */
const RUNNER_MARGIN_MS = 1000;

/** Builds the check for one HTTP service. */
export function createHttpCheck(spec: HttpCheckSpec): Check {
  const timeoutMs = spec.timeoutMs ?? HTTP_CHECK_DEFAULTS.timeoutMs;
  const safeUrl = redactUrl(spec.url);
  let failing = false;

  async function probe(signal: AbortSignal): Promise<CheckProbe> {
    const fields: Record<string, string> = { service: spec.name, url: safeUrl };
    let outcome: CheckProbe;
    try {
      const answer = await probeHttp({ url: spec.url, method: spec.method, headers: spec.headers, timeoutMs, signal });
      fields.latency_ms = String(answer.latencyMs);
      fields.status = String(answer.status);
      const problem = findAnswerProblem(answer.status, answer.body, spec);
      if (problem) {
        fields.reason = problem.reason;
        outcome = { ok: false, message: `${problem.message} (${answer.latencyMs} ms)`, fields };
      } else {
        outcome = {
          ok: true,
          message: failing ? `recuperado, ${answer.latencyMs} ms` : `HTTP ${answer.status}, ${answer.latencyMs} ms`,
          fields,
        };
      }
    } catch (error) {
      if (!(error instanceof HttpProbeError)) throw error;
      fields.latency_ms = String(error.latencyMs);
      fields.reason = error.reason;
      outcome = { ok: false, message: `${error.message} (${error.latencyMs} ms)`, fields };
    }
    failing = !outcome.ok;
    return outcome;
  }

  return {
    id: `http:${spec.name}`,
    kind: "http",
    errorType: HTTP_CHECK_DEFAULTS.errorType,
    severity: spec.severity ?? "critical",
    timeoutMs: timeoutMs + RUNNER_MARGIN_MS,
    intervalMs: spec.intervalMs,
    failureThreshold: spec.failureThreshold ?? HTTP_CHECK_DEFAULTS.failureThreshold,
    probe,
  };
}

/** Why an HTTP answer does not count as healthy, or null when it does. */
function findAnswerProblem(status: number, body: string, spec: HttpCheckSpec): { reason: string; message: string } | null {
  const statusOk = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status < 300;
  if (!statusOk) return { reason: "status", message: `HTTP ${status}` };
  if (spec.expectJson === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { reason: "body_mismatch", message: "body mismatch: not JSON" };
  }
  const mismatch = findJsonMismatch(spec.expectJson, parsed);
  return mismatch ? { reason: "body_mismatch", message: `body mismatch: ${mismatch}` } : null;
}
