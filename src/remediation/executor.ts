import type { CompiledRule, Incident } from "../types.js";
import { createPathGuard } from "./path-guard.js";
import { createOwnerResolver } from "./owner.js";
import { createKeyedScheduler } from "./keyed-scheduler.js";
import { normalizeExecutorOptions, type ExecutorOptions, type NormalizedExecutorOptions } from "./executor-options.js";
import type { RemediationContext } from "./remediation-context.js";
import { runAction, type ActionResult } from "./run-action.js";
import { runVerify } from "./run-verify.js";
import { classifyFailure, type FailureDecision } from "./classify-failure.js";
import { getBackoffDelayMs } from "../util/backoff-delay.js";
import { waitMs } from "../util/wait-ms.js";
import { describeError } from "../util/describe-error.js";
import { describeFailureEs } from "./describe-failure.js";

/**
 * The remediation executor: for each incident, the fix itself at once (attempt 0), then up to N retries after the
 * backoff (1, 2, 4 s by default: attempts at +0, +1, +3, +7 s, on `retryClock`: the log's time during a catch-up,
 * the wall clock otherwise). Each attempt runs the rule's actions in order, then
 * its verify, reporting every step to the incident stage through `report`.
 *
 *   attempt 0:  pendiente, each action (its accion, intento 0) → verify
 *   retry k:    reintentando "reintento k/N" → each action → verify
 *               ok → solucionado                                    (done)
 *               refused path / unusable spec → fallido              (done: retrying cannot help)
 *               else, k < N → wait backoff[k] (the last repeats), abortable by the job's signal (resolve_on)
 *               else → fallido with the last error
 *
 * Attempts run concurrently up to `concurrency`, never two for one incident key; a job waiting between two attempts
 * holds no slot. submit() returns at once. The
 * executor never changes incident state itself: the incident stage owns the state machine and the journal.
 */

/** One step of a remediation, for the incident's `accion`, `estado`, `intento` and `transiciones`. */
export interface RemediationStep {
  /** `pendiente` while the fix itself (attempt 0) runs, `reintentando` during retries, then the final state. */
  estado: "pendiente" | "reintentando" | "solucionado" | "fallido";
  /** `"reintento 2/3"`, `"mkdir -p modelos/ana"`, `"[dry-run] rm modelos/x.mp4"`. */
  accion: string;
  intento: number;
  /** An action's note or failure (exit code, error, refused path); the verification on success. */
  detalle: string | null;
  /**
   * The step in English for vigia's own log (`accion` and `detalle` are the journal's Spanish): `retry 2/3`,
   * `mkdir -p modelos/ana: created: modelos/ana`, `mkdir -p modelos/ana: verified: modelos/ana exists`.
   */
  message: string;
  /** The attempt's due time on `retryClock` (see TransitionInfo.atMs). */
  atMs?: number;
}

/** What the incident stage hands over. */
interface RemediationJob {
  incident: Incident;
  rule: CompiledRule;
  /** The match's captured fields (templates are filled from these). */
  fields: Readonly<Record<string, string>>;
  /** Resume at this attempt (restart-safe: the attempt recorded in the journal); 0 is the fix itself. Default 0. */
  startAttempt?: number;
  /** Abort to cancel: pending waits end and running commands are killed; nothing more is reported. */
  signal: AbortSignal;
  /** Called for every step, synchronously, in order. Exceptions are logged and ignored. */
  report: (step: RemediationStep) => void;
}

/** How a job ended (the same information was already reported step by step). */
export interface RemediationOutcome {
  estado: "solucionado" | "fallido" | "cancelado";
  intento: number;
  accion: string | null;
  detalle: string | null;
}

export interface Executor {
  /** Queues a job and returns at once; the promise settles when it ends and never rejects. */
  submit(job: RemediationJob): Promise<RemediationOutcome>;
  /** Re-runs a rule's verify (a repeat folding into a solucionado incident): does the fix still hold? No verify → false. */
  reverify(rule: CompiledRule, fields: Readonly<Record<string, string>>): Promise<boolean>;
  /** N for a rule: its `retries`, else `maxRetries` (the incident's `max_intentos`): retries after the fix itself. */
  getMaxRetries(rule: CompiledRule): number;
  /**
   * Jobs running an attempt now, and jobs waiting (for a slot or for their next attempt): the work still to do, so
   * a job whose incident was closed meanwhile (its signal aborted: a resolve_on line, a stop) is in neither.
   */
  getLoad(): { running: number; queued: number };
  /** Resolves when every submitted job has ended. */
  drain(): Promise<void>;
  /**
   * Null when no job (of this incident, when given) is at work — each has ended or waits for its next attempt's
   * time — else a promise that resolves when none is: what a catch-up's line that touches the incident waits for.
   */
  whenSettled(incidentId?: string): Promise<void> | null;
  /** Whether a job of this incident (any job or reverify, without one) is at work: running or waiting for a slot. */
  isAtWork(incidentId?: string): boolean;
  /** Cancels everything (waits end, commands are killed), refuses new jobs, resolves when all have ended. */
  stop(): Promise<void>;
  readonly options: NormalizedExecutorOptions;
}

/** Outcome of one attempt, before deciding what comes next. */
interface AttemptOutcome {
  ok: boolean;
  accion: string | null;
  detalle: string | null;
  /** `accion` and `detalle` in English (see RemediationStep.message). */
  command: string | null;
  message: string;
  cause?: unknown;
  /** Overrides classifyFailure (dry-run cannot learn more by retrying). */
  decision?: FailureDecision;
  /** Nothing failed, but nothing confirmed the fix either: the rule waits for its resolve_on line. */
  unconfirmed?: boolean;
}

/** A job as getLoad counts it: its incident's signal, and whether an attempt of it holds a slot now. */
interface JobLoad {
  signal: AbortSignal;
  inAttempt: boolean;
}

/** What one job remembers between its attempts. */
interface JobMemory {
  /** Results of once-per-incident actions that succeeded, by their index in the rule's actions. */
  doneOnce: Map<number, ActionResult>;
}

/**
 * The final `accion` of an incident whose rule waited for resolve_on in vain: what the actions achieved and what
 * did not come ("archivo eliminado; no llegó una nueva descarga"). Null when no action said.
 */
function describeUnconfirmed(memory: JobMemory): string | null {
  const results = [...memory.doneOnce.values()].filter((result) => result.summary);
  if (results.length === 0) return null;
  const awaited = results.map((result) => result.awaits).find(Boolean) ?? "la línea de resolve_on";
  return `${results.map((result) => result.summary).join("; ")}; no llegó ${awaited}`;
}

/** How long the path guard of a dry run reuses what the filesystem answered (see PathGuardOptions.reuseAnswersMs). */
const DRY_RUN_REUSE_FS_ANSWERS_MS = 1000;

/**
 * Attempts at once in a dry run, at least: nothing is executed (read-only checks at most), and during a catch-up a
 * line that touches an incident whose attempt is at work, or waits for a slot, waits for it: with 4 slots a
 * catch-up's last lines waited for hundreds of planned attempts queued before theirs.
 */
const DRY_RUN_MIN_CONCURRENCY = 32;

/** Creates an executor; throws InvalidExecutorOptionError on unusable options. */
export function createExecutor(rawOptions: ExecutorOptions): Executor {
  const options = normalizeExecutorOptions(rawOptions);
  const { logger, clock, retryClock, dryRun, observer } = options;
  // A dry run changes nothing: the folders thousands of incidents of a catch-up name are looked at once a second.
  const reuseAnswersMs = dryRun ? DRY_RUN_REUSE_FS_ANSWERS_MS : 0;
  const guard = createPathGuard({ allowedRoots: options.allowedRoots, baseDir: options.baseDir, reuseAnswersMs, clock });
  const owners = createOwnerResolver();
  const scheduler = createKeyedScheduler(dryRun ? Math.max(options.concurrency, DRY_RUN_MIN_CONCURRENCY) : options.concurrency);
  const stopController = new AbortController();
  /** Jobs submitted and not ended: running an attempt, waiting for a slot or for their next attempt. */
  const jobs = new Set<Promise<RemediationOutcome>>();
  /**
   * The same jobs as getLoad sees them. A cancelled job stays in `jobs` until its turn for a slot comes (it then
   * ends at once): counted, it made the remediation queue on /health and the catch-up's progress line hundreds
   * longer than the open incidents.
   */
  const loads = new Set<JobLoad>();
  const isRoot = process.getuid?.() === 0;
  /** Jobs and reverifications at work: running or waiting for a slot, not waiting for their next attempt's time. */
  let atWork = 0;
  /** The jobs at work, by incident id. */
  const atWorkByIncident = new Map<string, number>();
  /** Waiting for every job (null) or for one incident's jobs (its id) to settle. */
  const settledWaiters = new Map<string | null, Array<() => void>>();
  const isSettled = (incidentId: string | null) => (incidentId === null ? atWork === 0 : !atWorkByIncident.has(incidentId));
  const startWork = (incidentId: string | null) => {
    atWork++;
    if (incidentId !== null) atWorkByIncident.set(incidentId, (atWorkByIncident.get(incidentId) ?? 0) + 1);
  };
  // Waiters wake on a later turn, once what the last step set off (a reverify's verdict applied, a job's next
  // wait armed, the jobs an outage's end releases) has run, and only if nothing went back to work meanwhile.
  const wakeIfSettled = (incidentId: string | null) => {
    if (!isSettled(incidentId)) return;
    const waiters = settledWaiters.get(incidentId) ?? [];
    settledWaiters.delete(incidentId);
    for (const wake of waiters) wake();
  };
  const endWork = (incidentId: string | null) => {
    atWork--;
    if (incidentId !== null) {
      const left = (atWorkByIncident.get(incidentId) ?? 1) - 1;
      if (left > 0) atWorkByIncident.set(incidentId, left);
      else atWorkByIncident.delete(incidentId);
    }
    for (const key of incidentId === null ? [null] : [incidentId, null]) {
      if (settledWaiters.has(key) && isSettled(key)) setImmediate(() => wakeIfSettled(key));
    }
  };
  const whenSettled = (incidentId?: string): Promise<void> | null => {
    const key = incidentId ?? null;
    if (isSettled(key)) return null;
    return new Promise<void>((wake) => {
      const waiters = settledWaiters.get(key);
      if (waiters) waiters.push(wake);
      else settledWaiters.set(key, [wake]);
    });
  };

  /** Waits for the next attempt's time on `retryClock`; the job is at work again from the moment the wait ends. */
  async function waitForAttempt(incidentId: string, ms: number, signal: AbortSignal): Promise<boolean> {
    const counted: typeof retryClock = {
      now: () => retryClock.now(),
      setTimeout: (callback, delayMs) => retryClock.setTimeout(() => (startWork(incidentId), callback()), delayMs),
      clearTimeout: (handle) => retryClock.clearTimeout(handle),
    };
    endWork(incidentId);
    const waited = await waitMs(ms, signal, counted);
    if (!waited) startWork(incidentId);
    return waited;
  }

  function createContext(signal: AbortSignal, detectedAtMs: number | null): RemediationContext {
    return {
      guard,
      owners,
      owner: options.owner,
      sudo: options.sudo,
      quarantineDir: options.quarantineDir,
      isRoot,
      actionTimeoutMs: options.actionTimeoutMs,
      killGraceMs: options.killGraceMs,
      maxOutputBytes: options.maxOutputBytes,
      getDiskSpace: options.getDiskSpace,
      clock,
      detectedAtMs,
      signal,
    };
  }

  function getMaxRetries(rule: CompiledRule): number {
    return rule.retries !== null && rule.retries !== undefined && rule.retries >= 0 ? Math.floor(rule.retries) : options.maxRetries;
  }

  function submit(job: RemediationJob): Promise<RemediationOutcome> {
    if (stopController.signal.aborted) return Promise.resolve(cancelled(job.startAttempt ?? 0));
    const load: JobLoad = { signal: job.signal, inAttempt: false };
    loads.add(load);
    startWork(job.incident.id);
    const ended = runJob(job, load).catch((error: unknown) => {
      // runJob catches everything; this is the last line of defence so a caller never sees a rejection.
      logger.error(`remediation of ${job.incident.id}: unexpected error: ${describeError(error)}`);
      return { estado: "fallido" as const, intento: job.startAttempt ?? 0, accion: null, detalle: describeFailureEs(error) };
    });
    const settled = ended.then((outcome) => {
      endWork(job.incident.id);
      observer.jobEnded?.(job.rule, outcome.estado);
      return outcome;
    });
    jobs.add(settled);
    void settled.finally(() => {
      jobs.delete(settled);
      loads.delete(load);
    });
    return settled;
  }

  /** Until every job submitted so far, and every job they make room for, has ended. */
  async function drain(): Promise<void> {
    while (jobs.size > 0) await Promise.all([...jobs]);
  }

  /** Jobs whose incident is still theirs: running an attempt, or waiting for a slot or for their next attempt. */
  function countLoad(): { running: number; queued: number } {
    let running = 0;
    let queued = 0;
    if (stopController.signal.aborted) return { running, queued };
    for (const load of loads) {
      if (load.signal.aborted) continue;
      if (load.inAttempt) running += 1;
      else queued += 1;
    }
    return { running, queued };
  }

  async function runJob(job: RemediationJob, load: JobLoad): Promise<RemediationOutcome> {
    const signal = AbortSignal.any([job.signal, stopController.signal]);
    const maxRetries = getMaxRetries(job.rule);
    const delaysMs = job.rule.backoffMs ?? options.backoffMs;
    const firstAttempt = Math.min(Math.max(0, Math.floor(job.startAttempt ?? 0)), maxRetries);
    const detectedAtMs = Date.parse(job.incident.timestamp);
    const ctx = createContext(signal, Number.isNaN(detectedAtMs) ? null : detectedAtMs);
    const memory: JobMemory = { doneOnce: new Map() };
    // Retries are scheduled from the job's start (+1, +3, +7 s), not from the end of the previous attempt: a slow
    // action or verification does not push every later retry back.
    const startedAtMs = retryClock.now();
    let dueAtMs = startedAtMs;
    let attemptAtMs = startedAtMs;
    const report = (reported: RemediationStep) => {
      if (signal.aborted) return; // a cancelled job says nothing more: the incident is someone else's now
      const step = { ...reported, atMs: attemptAtMs };
      // The engine logs every transition once; this detail (the step as the executor saw it) is for debugging.
      logger.debug(`remediation of ${job.incident.id}: ${step.estado}`, { key: job.incident.clave, ...step });
      try {
        job.report(step);
      } catch (error) {
        logger.error(`remediation of ${job.incident.id}: the step could not be reported: ${describeError(error)}`);
      }
    };

    for (let attempt = firstAttempt; attempt <= maxRetries; attempt += 1) {
      if (signal.aborted) return cancelled(attempt);
      const retryLabel = attempt === 0 ? null : `reintento ${attempt}/${maxRetries}`;
      const retryInEnglish = attempt === 0 ? null : `retry ${attempt}/${maxRetries}`;
      // Each attempt takes a slot of its own: a job waiting for its next attempt holds none, so a burst of
      // incidents is not queued behind other incidents' backoff waits (at 10 new incidents a second and 4 slots,
      // jobs holding theirs through 1 + 2 + 4 s of waits would fall behind without end).
      const outcome = await scheduler.schedule(job.incident.clave, async (): Promise<AttemptOutcome | null> => {
        if (signal.aborted) return null;
        load.inAttempt = true;
        if (retryLabel !== null) report({ estado: "reintentando", accion: retryLabel, intento: attempt, detalle: null, message: retryInEnglish! });
        else if (job.rule.actions.length === 0) {
          // Nothing to run: still say that the incident is now being worked on (its attempt 0 has a time).
          const [accion, message] = job.rule.verify ? ["verificación", "verifying"] : ["esperando resolve_on", "waiting for the resolve_on line"];
          report({ estado: "pendiente", accion, intento: 0, detalle: null, message });
        }
        observer.attemptStarted?.(job.rule, attempt);
        return runAttempt(job, attempt, ctx, memory, report);
      });
      load.inAttempt = false;
      if (outcome === null || signal.aborted) return cancelled(attempt);
      const command = outcome.command ?? retryInEnglish;
      const message = command ? `${command}: ${outcome.message}` : outcome.message;
      if (outcome.ok) {
        const accion = outcome.accion ?? retryLabel ?? "verificación";
        report({ estado: "solucionado", accion, intento: attempt, detalle: outcome.detalle, message });
        return { estado: "solucionado", intento: attempt, accion, detalle: outcome.detalle };
      }
      const decision = outcome.decision ?? classifyFailure(outcome.cause);
      if (decision === "stop") return cancelled(attempt);
      if (decision === "give_up" || attempt === maxRetries) {
        const accion = outcome.unconfirmed
          ? describeUnconfirmed(memory) ?? outcome.accion ?? retryLabel ?? "sin confirmación"
          : outcome.accion ?? retryLabel ?? "verificación";
        report({ estado: "fallido", accion, intento: attempt, detalle: outcome.detalle, message });
        return { estado: "fallido", intento: attempt, accion, detalle: outcome.detalle };
      }
      // Never longer than the backoff from now: incident time moves back once, when a catch-up's first line is
      // read after a job resumed from the journal started on the wall clock.
      const delayMs = getBackoffDelayMs(attempt + 1, delaysMs);
      dueAtMs = Math.min(dueAtMs + delayMs, retryClock.now() + delayMs);
      const waited = await waitForAttempt(job.incident.id, Math.max(0, dueAtMs - retryClock.now()), signal);
      attemptAtMs = dueAtMs;
      if (!waited) return cancelled(attempt);
    }
    return cancelled(maxRetries); // unreachable: the last attempt always returns
  }

  /**
   * Actions in order (the first failure ends the attempt: later actions build on earlier ones), then verify.
   * `accion` of the outcome is the last action that did something (not `wait`), for the final state's `accion`.
   */
  async function runAttempt(
    job: RemediationJob,
    attempt: number,
    ctx: RemediationContext,
    memory: JobMemory,
    report: (step: RemediationStep) => void,
  ): Promise<AttemptOutcome> {
    const estado = attempt === 0 ? "pendiente" : "reintentando";
    let lastAccion: string | null = null;
    let lastCommand: string | null = null;
    for (const [index, spec] of job.rule.actions.entries()) {
      // An action that may run only once per incident (cleanup) and already did is not repeated: what is at its
      // path now is the new download, not the corrupt file.
      if (memory.doneOnce.has(index)) continue;
      const result = await runAction(spec, job.fields, ctx, { dryRun });
      observer.actionEnded?.(job.rule, result);
      if (spec.type !== "wait") [lastAccion, lastCommand] = [result.accion, result.command];
      const said = result.ok ? result.message : `failed: ${result.message}`;
      report({ estado, accion: result.accion, intento: attempt, detalle: result.detalle, message: said ? `${result.command}: ${said}` : result.command });
      if (!result.ok) {
        return { ok: false, accion: result.accion, detalle: result.detalle, command: result.command, message: `failed: ${result.message}`, cause: result.cause };
      }
      if (result.once) memory.doneOnce.set(index, result);
      if (ctx.signal.aborted) return { ok: false, accion: lastAccion, detalle: "cancelado", command: lastCommand, message: "cancelled", decision: "stop" };
    }
    const done = { accion: lastAccion, command: lastCommand };

    if (job.rule.verify) {
      const verified = await runVerify(job.rule.verify, job.fields, ctx, { dryRun });
      const detalle = `${verified.ok ? "verificado" : "no verificado"}: ${verified.descripcion}${verified.detalle ? ` (${verified.detalle})` : ""}`;
      const message = `${verified.ok ? "verified" : "not verified"}: ${verified.description}${verified.message ? ` (${verified.message})` : ""}`;
      if (verified.ok) return { ok: true, ...done, detalle, message };
      return {
        ok: false,
        ...done,
        detalle,
        message,
        cause: verified.cause,
        ...(verified.skipped ? { decision: "give_up" as const } : {}),
      };
    }

    // No verify: the actions' success is the verification — unless the rule waits for a line (`resolve_on`: the
    // actions only clear the way, e.g. a corrupt file removed so the bot downloads it again), or nothing was done
    // at all (`wait`, or no action). Then only resolve_on can close the incident as solucionado.
    const didSomething = job.rule.actions.some((spec) => spec.type !== "wait");
    if (job.rule.resolveOn !== null || !didSomething) {
      return { ok: false, ...done, detalle: "sin confirmación: esperando resolve_on", message: "not confirmed: waiting for the resolve_on line", unconfirmed: true };
    }
    if (dryRun) {
      const message = "dry-run: actions not run, and the rule has no verify";
      return { ok: false, ...done, detalle: "dry-run: acciones no ejecutadas y la regla no tiene verify", message, decision: "give_up" };
    }
    return { ok: true, ...done, detalle: "acciones completadas", message: "actions done" };
  }

  async function reverify(rule: CompiledRule, fields: Readonly<Record<string, string>>): Promise<boolean> {
    if (!rule.verify) return false;
    startWork(null);
    try {
      const result = await runVerify(rule.verify, fields, createContext(stopController.signal, null), { dryRun });
      return result.ok;
    } finally {
      endWork(null);
    }
  }

  async function stop(): Promise<void> {
    stopController.abort();
    await drain();
  }

  return {
    submit,
    reverify,
    getMaxRetries,
    getLoad: countLoad,
    drain,
    whenSettled,
    isAtWork: (incidentId) => (incidentId === undefined ? atWork > 0 : atWorkByIncident.has(incidentId)),
    stop,
    options,
  };
}

function cancelled(attempt: number): RemediationOutcome {
  return { estado: "cancelado", intento: attempt, accion: null, detalle: null };
}
