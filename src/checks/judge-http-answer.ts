import type { CheckProbe } from "./check.js";
import { HttpProbeError, probeHttp, type HttpProbeAnswer, type HttpProbeOptions, type ProbeFailureReason } from "./http-probe.js";

/** What a check makes of an HTTP answer: a problem (down), or nothing (up). */
export interface AnswerProblem {
  /** `reason` field of the result: a code for scripts (`status`, `body_mismatch`). */
  reason: string;
  /** For the operator, in English. */
  message: string;
  /** For the admin, in Spanish. */
  motivo: string;
}

/** An answer whose status is not the one expected. */
export function describeBadStatus(status: number): AnswerProblem {
  return { reason: "status", message: `HTTP ${status}`, motivo: `respuesta HTTP ${status}` };
}

/** A probe that got no answer, as the admin reads it. */
const NO_ANSWER_ES: Readonly<Record<ProbeFailureReason, string>> = {
  refused: "conexión rechazada",
  timeout: "sin respuesta a tiempo",
  dns: "nombre no resuelto (DNS)",
  reset: "conexión cortada",
  invalid_url: "URL no válida",
  error: "error de red",
};

export interface JudgedHttpProbeOptions {
  request: Omit<HttpProbeOptions, "signal">;
  /** Fields every result carries (the URL already redacted, the service name). */
  fields: Readonly<Record<string, string>>;
  judge(answer: HttpProbeAnswer): AnswerProblem | null;
  /** Text of an up result when it was up before too: status and latency, the same in both voices. */
  describeUp(answer: HttpProbeAnswer): string;
}

/**
 * One HTTP probe turned into a check result, shared by the `http` and `bot_api` checks: latency and status in the
 * fields, a refused/timeout/DNS failure or the judge's problem as down, and "recovered, N ms" ("recuperado, N ms"
 * for the admin) on the first success after a failure.
 */
export function createJudgedHttpProbe(options: JudgedHttpProbeOptions): (signal: AbortSignal) => Promise<CheckProbe> {
  let failing = false;
  return async (signal) => {
    const fields: Record<string, string> = { ...options.fields };
    let outcome: CheckProbe;
    try {
      const answer = await probeHttp({ ...options.request, signal });
      fields.latency_ms = String(answer.latencyMs);
      fields.status = String(answer.status);
      const problem = options.judge(answer);
      if (problem) {
        fields.reason = problem.reason;
        outcome = { ok: false, message: `${problem.message} (${answer.latencyMs} ms)`, motivo: `${problem.motivo} (${answer.latencyMs} ms)`, fields };
      } else if (failing) {
        outcome = { ok: true, message: `recovered, ${answer.latencyMs} ms`, motivo: `recuperado, ${answer.latencyMs} ms`, fields };
      } else {
        const up = options.describeUp(answer);
        outcome = { ok: true, message: up, motivo: up, fields };
      }
    } catch (error) {
      if (!(error instanceof HttpProbeError)) throw error;
      fields.latency_ms = String(error.latencyMs);
      fields.reason = error.reason;
      const code = error.reason === "error" && error.code ? ` (${error.code})` : "";
      outcome = { ok: false, message: `${error.message} (${error.latencyMs} ms)`, motivo: `${NO_ANSWER_ES[error.reason]}${code} (${error.latencyMs} ms)`, fields };
    }
    failing = !outcome.ok;
    return outcome;
  };
}
