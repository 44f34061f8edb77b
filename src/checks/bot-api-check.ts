/**
 * `bot_api` check: is the local Telegram Bot API server alive? Any HTTP answer counts (it returns 404 for `/`),
 * except a 5xx, which is what a proxy in front of a dead server sends. It probes on its own cadence
 * (`every`, 10 s) and needs `attempts` (3) consecutive failures before it is down; the first success is recovery.
 */
import type { Check, CheckProbe } from "./check.js";
import { HttpProbeError, probeHttp } from "./http-probe.js";
import { redactUrl } from "./redact-url.js";

export interface BotApiCheckSpec {
  /** Default `http://localhost:8081`. */
  url?: string;
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
  const url = spec.url ?? BOT_API_CHECK_DEFAULTS.url;
  const timeoutMs = spec.timeoutMs ?? BOT_API_CHECK_DEFAULTS.timeoutMs;
  const safeUrl = redactUrl(url);
  let failing = false;

  async function probe(signal: AbortSignal): Promise<CheckProbe> {
    const fields: Record<string, string> = { url: safeUrl };
    let outcome: CheckProbe;
    try {
      const answer = await probeHttp({ url, timeoutMs, signal, maxBodyBytes: 1024 });
      fields.latency_ms = String(answer.latencyMs);
      fields.status = String(answer.status);
      if (answer.status >= 500) {
        fields.reason = "status";
        outcome = { ok: false, message: `HTTP ${answer.status} (${answer.latencyMs} ms)`, fields };
      } else {
        outcome = {
          ok: true,
          message: failing ? `recuperado, ${answer.latencyMs} ms` : `responde HTTP ${answer.status}, ${answer.latencyMs} ms`,
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
