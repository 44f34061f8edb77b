/**
 * `bot_api` check: is the local Telegram Bot API server alive? Any HTTP answer counts (it returns 404 for `/`),
 * except a 5xx, which is what a proxy in front of a dead server sends; with a `healthUrl`, that URL must answer
 * 2xx/3xx instead. It probes on its own cadence (`every`, 10 s) and needs `attempts` (3) consecutive failures
 * before it is down; the first success is recovery.
 */
import type { Check } from "./check.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";
import { createJudgedHttpProbe, describeBadStatus } from "./judge-http-answer.js";
import { redactUrl } from "../util/redact-url.js";
import { isServerUp } from "../util/is-server-up.js";

/** Defaults: `checks.bot_api` (config/defaults.ts). */
export interface BotApiCheckSpec {
  url?: string;
  /** A health endpoint that answers 2xx/3xx when the server is up; default none (any answer from `url` counts). */
  healthUrl?: string | null;
  /** Consecutive failures before `servidor_caido`. */
  attempts?: number;
  /** Between probes. */
  everyMs?: number;
  /** Per request. */
  timeoutMs?: number;
}

/** The rule id of a bot API check's failure. */
export const BOT_API_ERROR_TYPE = "servidor_caido";

/** Builds the local Bot API liveness check. */
export function createBotApiCheck(spec: BotApiCheckSpec = {}): Check {
  const healthUrl = spec.healthUrl ?? null;
  const url = healthUrl ?? spec.url ?? CHECK_DEFAULTS_MS.botApi.url;
  const timeoutMs = spec.timeoutMs ?? CHECK_DEFAULTS_MS.botApi.timeoutMs;
  const probe = createJudgedHttpProbe({
    request: { url, timeoutMs, maxBodyBytes: 1024 },
    fields: { url: redactUrl(url) },
    judge: (answer) => (isServerUp(answer.status, healthUrl !== null) ? null : describeBadStatus(answer.status)),
    describeUp: (answer) => `HTTP ${answer.status}, ${answer.latencyMs} ms`,
  });

  return {
    id: "bot_api",
    kind: "bot_api",
    errorType: BOT_API_ERROR_TYPE,
    severity: "critical",
    timeoutMs: timeoutMs + 1000,
    intervalMs: spec.everyMs ?? CHECK_DEFAULTS_MS.botApi.everyMs,
    failureThreshold: spec.attempts ?? CHECK_DEFAULTS_MS.botApi.attempts,
    probe,
  };
}

