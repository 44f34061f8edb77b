/**
 * `http` check: one service's health endpoint. A failure is no answer (refused, timeout, dns), an unexpected
 * status, or a body that does not contain `expect_json`. The first success after a failure says "recuperado".
 */
import type { Severity } from "../types.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";
import type { Check } from "./check.js";
import { createJudgedHttpProbe, describeBadStatus, type AnswerProblem } from "./judge-http-answer.js";
import { findJsonMismatch } from "./match-json-subset.js";
import { redactUrl } from "../util/redact-url.js";

export interface HttpCheckSpec {
  /** Service name; the check id is `http:<name>`. */
  name: string;
  url: string;
  /** Default `checks.http[].method` (config/defaults.ts), as every default below. */
  method?: string;
  headers?: Record<string, string>;
  /** Per request. */
  timeoutMs?: number;
  /** Accepted statuses; default any 2xx. */
  expectStatus?: number[];
  /** When set, the body must be JSON containing this value (subset match). */
  expectJson?: unknown;
  /** Consecutive failures before an incident. */
  failureThreshold?: number;
  /** Default critical. */
  severity?: Severity;
  intervalMs?: number;
}

const HTTP_ERROR_TYPE = "servicio_caido";

/** Extra time the runner grants over the request timeout, so the request reports its own "timeout" first. */
const RUNNER_MARGIN_MS = 1000;

/** Builds the check for one HTTP service. */
export function createHttpCheck(spec: HttpCheckSpec): Check {
  const timeoutMs = spec.timeoutMs ?? CHECK_DEFAULTS_MS.http.timeoutMs;
  const probe = createJudgedHttpProbe({
    request: { url: spec.url, method: spec.method ?? CHECK_DEFAULTS_MS.http.method, headers: spec.headers, timeoutMs },
    fields: { service: spec.name, url: redactUrl(spec.url) },
    judge: (answer) => findAnswerProblem(answer.status, answer.body, spec),
    describeUp: (answer) => `HTTP ${answer.status}, ${answer.latencyMs} ms`,
  });

  return {
    id: `http:${spec.name}`,
    kind: "http",
    errorType: HTTP_ERROR_TYPE,
    severity: spec.severity ?? "critical",
    timeoutMs: timeoutMs + RUNNER_MARGIN_MS,
    intervalMs: spec.intervalMs,
    failureThreshold: spec.failureThreshold ?? CHECK_DEFAULTS_MS.http.failureThreshold,
    probe,
  };
}

/** Why an HTTP answer does not count as healthy, or null when it does. */
function findAnswerProblem(status: number, body: string, spec: HttpCheckSpec): AnswerProblem | null {
  const statusOk = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status < 300;
  if (!statusOk) return describeBadStatus(status);
  if (spec.expectJson === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { reason: "body_mismatch", message: "body mismatch: not JSON", motivo: "respuesta inesperada: no es JSON" };
  }
  const mismatch = findJsonMismatch(spec.expectJson, parsed);
  return mismatch ? { reason: "body_mismatch", message: `body mismatch: ${mismatch.message}`, motivo: `respuesta inesperada: ${mismatch.motivo}` } : null;
}
