import type { ActionSpec } from "../types.js";
import { describeError, describeErrorInEnglish } from "../util/describe-error.js";
import { describeFailureEs } from "./describe-failure.js";
import { fillTemplate } from "../util/template.js";
import type { RemediationContext } from "./remediation-context.js";
import { getActionHandler } from "./actions/registry.js";
import type { ActionHandler } from "./actions/action-handler.js";
import { readTimeoutMs } from "./spec-options.js";
import { ActionTimeoutError, CommandFailedError, RemediationAbortedError } from "./errors.js";
import { formatArgv } from "../util/format-argv.js";
import { waitMs } from "../util/wait-ms.js";

/**
 * One action's outcome, success or failure alike, shaped like execa's result: it goes straight into the journal
 * (`accion`, `detalle`) and `cause` tells classifyFailure what happened.
 */
export interface ActionResult {
  ok: boolean;
  action: ActionSpec["type"];
  /** Human text: `mkdir -p modelos/ana`, `[dry-run] rm modelos/x.mp4`. */
  accion: string;
  /** The same in English, for vigia's own log (see PlannedAction.command). */
  command: string;
  durationMs: number;
  /** A note when ok; what went wrong when not. */
  detalle: string | null;
  /** `detalle` in English, for vigia's own log. */
  message: string | null;
  exitCode?: number;
  timedOut?: boolean;
  /** One-line failure message. */
  shortMessage?: string;
  /** The error itself (PathRefusedError, CommandFailedError, an fs error…). */
  cause?: unknown;
  dryRun?: boolean;
  freedBytes?: number;
  /**
   * The action may run once per incident and just did, or was planned in a dry run (see ActionHandler.once): later
   * retries skip it, and a dry run's plan says it once as the real run would do it once.
   */
  once?: boolean;
  /** See ActionEffect.summary (a dry run's planned `accion`) and ActionHandler.awaits. */
  summary?: string;
  awaits?: string;
}

export interface RunActionOptions {
  dryRun: boolean;
}

/**
 * Plans and (unless dry-run) executes one action. Never throws: every failure — a refused path, a template field
 * the line did not capture, an exit code, a timeout — becomes a result with `ok: false`.
 */
export async function runAction(
  spec: ActionSpec,
  fields: Readonly<Record<string, string>>,
  ctx: RemediationContext,
  options: RunActionOptions,
): Promise<ActionResult> {
  const now = () => ctx.clock.now();
  const started = now();
  const type = spec?.type;
  const prefix = options.dryRun ? "[dry-run] " : "";
  let accion = `${prefix}${describeUnplanned(spec, fields)}`;
  let command = accion;
  try {
    const handler = getActionHandler(spec);
    const planned = await handler.plan(spec, fields, ctx);
    accion = `${prefix}${planned.accion}`;
    command = `${prefix}${planned.command}`;
    if (options.dryRun) {
      const durationMs = Math.round(now() - started);
      const once = handler.once ? { once: true, summary: accion, ...awaitsOf(handler) } : {};
      return { ok: true, action: type, accion, command, durationMs, detalle: "no ejecutado (dry-run)", message: "not run (dry-run)", dryRun: true, ...once };
    }
    const timeoutMs = readTimeoutMs(spec, ctx.actionTimeoutMs);
    const effect = planned.ownsTimeout
      ? await planned.execute()
      : await raceTimeout(planned.execute(), timeoutMs, planned.accion, ctx);
    return {
      ok: true,
      action: type,
      accion,
      command,
      durationMs: Math.round(now() - started),
      detalle: effect.detalle ?? null,
      message: effect.message ?? null,
      ...(effect.exitCode !== undefined ? { exitCode: effect.exitCode } : {}),
      ...(effect.freedBytes !== undefined ? { freedBytes: effect.freedBytes } : {}),
      ...(handler.once ? { once: true } : {}),
      ...(effect.summary !== undefined ? { summary: effect.summary } : {}),
      ...awaitsOf(handler),
    };
  } catch (error) {
    const shortMessage = describeError(error);
    return {
      ok: false,
      action: type,
      accion,
      command,
      durationMs: Math.round(now() - started),
      detalle: describeFailureEs(error),
      message: describeErrorInEnglish(error),
      shortMessage,
      cause: error,
      ...(error instanceof CommandFailedError
        ? { timedOut: error.timedOut, ...(error.exitCode !== undefined ? { exitCode: error.exitCode } : {}) }
        : {}),
      ...(error instanceof ActionTimeoutError ? { timedOut: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    };
  }
}

function awaitsOf(handler: ActionHandler): { awaits?: string } {
  return handler.awaits !== undefined ? { awaits: handler.awaits } : {};
}

/** An fs action that hangs (a dead NFS mount) is abandoned at its timeout so the executor keeps serving others. */
async function raceTimeout<T>(work: Promise<T>, timeoutMs: number, accion: string, ctx: RemediationContext): Promise<T> {
  const timer = new AbortController();
  const signal = AbortSignal.any([timer.signal, ctx.signal]);
  const expired = waitMs(timeoutMs, signal, ctx.clock).then((elapsed) => {
    if (elapsed) throw new ActionTimeoutError(accion, timeoutMs);
    if (ctx.signal.aborted) throw new RemediationAbortedError();
    return new Promise<never>(() => undefined); // the work settled first; this branch never wins
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    timer.abort();
    work.catch(() => undefined); // an abandoned action's late failure is not an unhandled rejection
  }
}

/** The action as written, templates filled leniently, for messages when planning itself failed. */
function describeUnplanned(spec: ActionSpec, fields: Readonly<Record<string, string>>): string {
  const type = String(spec?.type ?? "acción");
  const lenient = (text: string) => fillTemplate(text, fields, (name) => `{${name}}`);
  const main = spec?.path ?? spec?.dir ?? spec?.command;
  if (typeof main === "string") return `${type} ${JSON.stringify(lenient(main)).slice(0, 200)}`;
  if (Array.isArray(main) && main.every((item) => typeof item === "string")) return formatArgv(main.map(lenient));
  return type;
}
