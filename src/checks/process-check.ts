/**
 * `process` check: is the bot (`main.py`) still running? Found by a pid file or by a command-line pattern.
 * A gone process may carry a restart request (`fields.restart`, the argv as JSON) for the engine to run through
 * the executor — the check never runs it itself. The check keeps the restart budget (`max_restarts` within
 * `restart_window`) because it is the one that sees every consecutive failure.
 */
import type { Check, CheckProbe, NowMs } from "./check.js";
import { findPidsByPattern, isPidAlive, readPidFile } from "./find-process.js";

export interface ProcessCheckSpec {
  /** The check id is `process:<name>`. */
  name: string;
  /** Exactly one of pidfile / pattern. */
  pidfile?: string;
  pattern?: RegExp;
  /** Command to restart the process (argv, no shell); none = alert only. */
  restart?: string[];
  /** Default 3. */
  maxRestarts?: number;
  /** Default 600000 (10 min). */
  restartWindowMs?: number;
  /** Default 5000. */
  timeoutMs?: number;
  nowMs?: NowMs;
  /** For tests: where /proc is. */
  procDir?: string;
}

export const PROCESS_CHECK_DEFAULTS = {
  maxRestarts: 3,
  restartWindowMs: 600_000,
  timeoutMs: 5000,
  errorType: "proceso_caido",
} as const;

/** A process check that also tells the last liveness it saw (so a `silence` check knows whether to worry). */
export interface ProcessCheck extends Check {
  /** null before the first run. */
  lastKnownAlive(): boolean | null;
}

/** Builds the check for one process. */
export function createProcessCheck(spec: ProcessCheckSpec): ProcessCheck {
  if (!spec.pidfile === !spec.pattern) throw new Error(`process check ${spec.name}: set exactly one of pidfile or pattern`);
  const nowMs = spec.nowMs ?? Date.now;
  const maxRestarts = spec.maxRestarts ?? PROCESS_CHECK_DEFAULTS.maxRestarts;
  const restartWindowMs = spec.restartWindowMs ?? PROCESS_CHECK_DEFAULTS.restartWindowMs;
  let restartTimesMs: number[] = [];
  let alive: boolean | null = null;

  async function probe(): Promise<CheckProbe> {
    const found = await locateProcess(spec);
    alive = found.alive;
    const fields: Record<string, string> = { process: spec.name, ...found.fields };
    if (found.alive) return { ok: true, message: found.description, fields };
    return { ok: false, message: `${found.description}${requestRestart(fields)}`, fields };
  }

  /** Adds a restart request to `fields` when the budget allows; returns the note for the message. */
  function requestRestart(fields: Record<string, string>): string {
    if (!spec.restart) return "";
    const now = nowMs();
    restartTimesMs = restartTimesMs.filter((t) => now - t < restartWindowMs);
    if (restartTimesMs.length >= maxRestarts) {
      fields.restart_exhausted = "true";
      return `; restart limit reached (${maxRestarts} in ${Math.round(restartWindowMs / 1000)} s)`;
    }
    restartTimesMs.push(now);
    fields.restart = JSON.stringify(spec.restart);
    fields.restart_attempt = `${restartTimesMs.length}/${maxRestarts}`;
    return `; restart ${restartTimesMs.length}/${maxRestarts}`;
  }

  return {
    id: `process:${spec.name}`,
    kind: "process",
    errorType: PROCESS_CHECK_DEFAULTS.errorType,
    severity: "critical",
    timeoutMs: spec.timeoutMs ?? PROCESS_CHECK_DEFAULTS.timeoutMs,
    failureThreshold: 1,
    probe,
    lastKnownAlive: () => alive,
  };
}

/** Looks the process up by pid file or pattern and describes what was found. */
async function locateProcess(
  spec: ProcessCheckSpec,
): Promise<{ alive: boolean; description: string; fields: Record<string, string> }> {
  if (spec.pidfile) {
    const pid = await readPidFile(spec.pidfile);
    if (pid === null) return { alive: false, description: `pidfile ${spec.pidfile} missing`, fields: { pidfile: spec.pidfile } };
    const alive = await isPidAlive(pid, spec.procDir);
    const fields = { pidfile: spec.pidfile, pid: String(pid) };
    return { alive, description: alive ? `pid ${pid} running` : `pid ${pid} not running`, fields };
  }
  const pattern = spec.pattern!;
  const pids = await findPidsByPattern(pattern, { procDir: spec.procDir });
  const fields: Record<string, string> = { pattern: pattern.source };
  if (pids.length === 0) return { alive: false, description: `no process matches /${pattern.source}/`, fields };
  fields.pid = pids.slice(0, 20).join(",");
  return { alive: true, description: `${pids.length} running (pid ${pids.slice(0, 5).join(", ")})`, fields };
}
