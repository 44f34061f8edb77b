import type { VerifySpec } from "../types.js";
import type { RemediationContext } from "./remediation-context.js";
import { getVerifyHandler } from "./verify/registry.js";
import { describeError } from "../util/describe-error.js";

/** One verification's outcome; failures are data like actions'. */
export interface VerifyResult {
  ok: boolean;
  verify: VerifySpec["type"];
  /** Human text: `existe modelos/ana`. */
  descripcion: string;
  durationMs: number;
  detalle: string | null;
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
  try {
    const planned = await getVerifyHandler(spec).plan(spec, fields, ctx);
    descripcion = planned.descripcion;
    if (options.dryRun && !planned.readOnly) {
      return { ok: false, verify: type, descripcion: `[dry-run] ${descripcion}`, durationMs: 0, detalle: "no ejecutado (dry-run)", skipped: true };
    }
    const answer = await planned.check();
    return { ok: answer.ok, verify: type, descripcion, durationMs: Math.round(now() - started), detalle: answer.detalle };
  } catch (error) {
    return { ok: false, verify: type, descripcion, durationMs: Math.round(now() - started), detalle: describeError(error), cause: error };
  }
}
