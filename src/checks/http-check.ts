/**
 * `http` check: one service's health endpoint. A failure is no answer (refused, timeout, dns), an unexpected
 * status, or a body that does not contain `expect_json`. The first success after a failure says "recuperado".
 */
import type { Severity } from "../types.js";
import type { Check } from "./check.js";
import { createJudgedHttpProbe } from "./judge-http-answer.js";
import { findJsonMismatch } from "./match-json-subset.js";
import { redactUrl } from "../util/redact-url.js";

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

const HTTP_CHECK_DEFAULTS = { timeoutMs: 5000, failureThreshold: 2, errorType: "servicio_caido" } as const;

/** Extra time the runner grants over the request timeout, so the request reports its own "timeout" first. */
const RUNNER_MARGIN_MS = 1000;

/** Builds the check for one HTTP service. */
export function createHttpCheck(spec: HttpCheckSpec): Check {
  const timeoutMs = spec.timeoutMs ?? HTTP_CHECK_DEFAULTS.timeoutMs;
  const probe = createJudgedHttpProbe({
    request: { url: spec.url, method: spec.method, headers: spec.headers, timeoutMs },
    fields: { service: spec.name, url: redactUrl(spec.url) },
    judge: (answer) => findAnswerProblem(answer.status, answer.body, spec),
    describeUp: (answer) => `HTTP ${answer.status}, ${answer.latencyMs} ms`,
  });

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
