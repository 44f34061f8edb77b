import type { CheckProbe } from "./check.js";
import { HttpProbeError, probeHttp, type HttpProbeAnswer, type HttpProbeOptions } from "./http-probe.js";

/** What a check makes of an HTTP answer: a problem (down), or nothing (up). */
interface AnswerProblem {
  reason: string;
  message: string;
}

export interface JudgedHttpProbeOptions {
  request: Omit<HttpProbeOptions, "signal">;
  /** Fields every result carries (the URL already redacted, the service name). */
  fields: Readonly<Record<string, string>>;
  judge(answer: HttpProbeAnswer): AnswerProblem | null;
  /** Text of an up result when it was up before too. */
  describeUp(answer: HttpProbeAnswer): string;
}

/**
 * One HTTP probe turned into a check result, shared by the `http` and `bot_api` checks: latency and status in the
 * fields, a refused/timeout/DNS failure or the judge's problem as down, and "recuperado, N ms" on the first
 * success after a failure.
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
        outcome = { ok: false, message: `${problem.message} (${answer.latencyMs} ms)`, fields };
      } else {
        outcome = { ok: true, message: failing ? `recuperado, ${answer.latencyMs} ms` : options.describeUp(answer), fields };
      }
    } catch (error) {
      if (!(error instanceof HttpProbeError)) throw error;
      fields.latency_ms = String(error.latencyMs);
      fields.reason = error.reason;
      outcome = { ok: false, message: `${error.message} (${error.latencyMs} ms)`, fields };
    }
    failing = !outcome.ok;
    return outcome;
  };
}
