import type { VerifySpec } from "../types.js";
import type { RemediationContext } from "./remediation-context.js";
import { getVerifyHandler } from "./verify/registry.js";
import { describeErrorInEnglish } from "../util/describe-error.js";
import { describeFailureEs } from "./describe-failure.js";

/** One verification's outcome; failures are data like actions'. */
export interface VerifyResult {
  ok: boolean;
  verify: VerifySpec["type"];
  /** Human text: `existe modelos/ana`. */
  descripcion: string;
  /** The same in English, for vigia's own log: `modelos/ana exists`. */
  description: string;
  durationMs: number;
  detalle: string | null;
  /** `detalle` in English, for vigia's own log. */
  message: string | null;
  /** Set when the check could not run (refused path, bad spec, I/O error). */
  cause?: unknown;
  /** Dry-run did not start a command check. */
  skipped?: boolean;
}

/** Plans and runs a verification; never throws. In dry-run, checks that run commands are skipped (and not ok). */
export async function runVerify(
  spec: VerifySpec,
  fields: Readonly<Record<string, string>>,
  ctx: RemediationContext,
  options: { dryRun: boolean },
): Promise<VerifyResult> {
  const now = () => ctx.clock.now();
  const started = now();
  const type = spec?.type;
  let descripcion = String(type ?? "verify");
  let description = descripcion;
  try {
    const planned = await getVerifyHandler(spec).plan(spec, fields, ctx);
    descripcion = planned.descripcion;
    description = planned.description;
    if (options.dryRun && !planned.readOnly) {
      const [skippedEs, skippedEn] = [`[dry-run] ${descripcion}`, `[dry-run] ${description}`];
      return { ok: false, verify: type, descripcion: skippedEs, description: skippedEn, durationMs: 0, detalle: "no ejecutado (dry-run)", message: "not run (dry-run)", skipped: true };
    }
    const answer = await planned.check();
    return { ok: answer.ok, verify: type, descripcion, description, durationMs: Math.round(now() - started), detalle: answer.detalle, message: answer.message };
  } catch (error) {
    const durationMs = Math.round(now() - started);
    return { ok: false, verify: type, descripcion, description, durationMs, detalle: describeFailureEs(error), message: describeErrorInEnglish(error), cause: error };
  }
}
