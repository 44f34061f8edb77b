/**
 * `bot_api` check: is the local Telegram Bot API server alive? Any HTTP answer counts (it returns 404 for `/`),
 * except a 5xx, which is what a proxy in front of a dead server sends; with a `healthUrl`, that URL must answer
 * 2xx/3xx instead. It probes on its own cadence (`every`, 10 s) and needs `attempts` (3) consecutive failures
 * before it is down; the first success is recovery.
 */
import type { Check } from "./check.js";
import { createJudgedHttpProbe } from "./judge-http-answer.js";
import { redactUrl } from "../util/redact-url.js";
import { isServerUp } from "../util/is-server-up.js";

export interface BotApiCheckSpec {
  /** Default `http://localhost:8081`. */
  url?: string;
  /** A health endpoint that answers 2xx/3xx when the server is up; default none (any answer from `url` counts). */
  healthUrl?: string | null;
  /** Consecutive failures before `servidor_caido`; default 3. */
  attempts?: number;
  /** Between probes; default 10000. */
  everyMs?: number;
  /** Per request; default 5000. */
  timeoutMs?: number;
}

export const BOT_API_CHECK_DEFAULTS = {
  url: "http://localhost:8081",
  attempts: 3,
  everyMs: 10_000,
  timeoutMs: 5000,
  errorType: "servidor_caido",
} as const;

/** Builds the local Bot API liveness check. */
export function createBotApiCheck(spec: BotApiCheckSpec = {}): Check {
  const healthUrl = spec.healthUrl ?? null;
  const url = healthUrl ?? spec.url ?? BOT_API_CHECK_DEFAULTS.url;
  const timeoutMs = spec.timeoutMs ?? BOT_API_CHECK_DEFAULTS.timeoutMs;
  const probe = createJudgedHttpProbe({
    request: { url, timeoutMs, maxBodyBytes: 1024 },
    fields: { url: redactUrl(url) },
    judge: (answer) => (isServerUp(answer.status, healthUrl !== null) ? null : { reason: "status", message: `HTTP ${answer.status}` }),
    describeUp: (answer) => `HTTP ${answer.status}, ${answer.latencyMs} ms`,
  });

  return {
    id: "bot_api",
    kind: "bot_api",
    errorType: BOT_API_CHECK_DEFAULTS.errorType,
    severity: "critical",
    timeoutMs: timeoutMs + 1000,
    intervalMs: spec.everyMs ?? BOT_API_CHECK_DEFAULTS.everyMs,
    failureThreshold: spec.attempts ?? BOT_API_CHECK_DEFAULTS.attempts,
    probe,
  };
}

