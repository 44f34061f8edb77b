/**
 * `process` check: is the bot (`main.py`) still running? Found by a pid file or by a command-line pattern.
 * A gone process is restarted by the check itself, detached (its own session, output appended to a log file):
 * a restarted bot must outlive the incident and vigia itself, so it is never an action of the executor, whose
 * commands are killed at their timeout or when the incident closes. The budget (`max_restarts` within
 * `restart_window`) counts only processes actually started; past it the failure carries `restart_exhausted`.
 */
import { writeFile } from "node:fs/promises";
import type { Check, CheckProbe } from "./check.js";
import { systemClock, type Clock } from "../util/clock.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";
import { findPidsByPattern, isPidAlive, readPidFile } from "./find-process.js";
import { startDetached, type DetachedStart, type DetachedStartSpec } from "./start-detached.js";

export interface ProcessCheckSpec {
  /** The check id is `process:<name>`. */
  name: string;
  /** Exactly one of pidfile / pattern. */
  pidfile?: string;
  pattern?: RegExp;
  /** Command to restart the process (argv, no shell); none = alert only. */
  restart?: string[];
  /** Working folder of the restarted process; default the current one. */
  restartCwd?: string;
  /** Where the restarted process's stdout/stderr are appended; required with `restart`. */
  restartLogPath?: string;
  /** Report what would be restarted without starting anything. */
  dryRun?: boolean;
  /** For tests: how a process is started; default `startDetached`. */
  start?: (spec: DetachedStartSpec) => Promise<DetachedStart>;
  /** Defaults: `checks.process[]` (config/defaults.ts). */
  maxRestarts?: number;
  restartWindowMs?: number;
  timeoutMs?: number;
  /** Default systemClock. */
  clock?: Clock;
  /** For tests: where /proc is. */
  procDir?: string;
}

const PROCESS_ERROR_TYPE = "proceso_caido";

/** A process check that also tells the last liveness it saw (so a `silence` check knows whether to worry). */
export interface ProcessCheck extends Check {
  /** null before the first run. */
  lastKnownAlive(): boolean | null;
}

/** Builds the check for one process. */
export function createProcessCheck(spec: ProcessCheckSpec): ProcessCheck {
  if (!spec.pidfile === !spec.pattern) throw new Error(`process check ${spec.name}: set exactly one of pidfile or pattern`);
  const clock = spec.clock ?? systemClock;
  const nowMs = () => clock.now();
  const maxRestarts = spec.maxRestarts ?? CHECK_DEFAULTS_MS.process.maxRestarts;
  const restartWindowMs = spec.restartWindowMs ?? CHECK_DEFAULTS_MS.process.restartWindowMs;
  let restartTimesMs: number[] = [];
  let alive: boolean | null = null;

  async function probe(): Promise<CheckProbe> {
    const found = await locateProcess(spec);
    alive = found.alive;
    const fields: Record<string, string> = { process: spec.name, ...found.fields };
    if (found.alive || !spec.restart) return { ok: found.alive, message: found.said.message, motivo: found.said.motivo, fields };
    const restarted = await restart(spec.restart, fields);
    return { ok: false, message: `${found.said.message}; ${restarted.message}`, motivo: `${found.said.motivo}; ${restarted.motivo}`, fields };
  }

  /** Starts the process again when the budget allows; notes the outcome in `fields` and says it for the message. */
  async function restart(argv: string[], fields: Record<string, string>): Promise<Said> {
    const now = nowMs();
    restartTimesMs = restartTimesMs.filter((t) => now - t < restartWindowMs);
    if (restartTimesMs.length >= maxRestarts) {
      fields.restart_exhausted = "true";
      const windowS = Math.round(restartWindowMs / 1000);
      return { message: `restart limit reached (${maxRestarts} in ${windowS} s)`, motivo: `límite de reinicios alcanzado (${maxRestarts} en ${windowS} s)` };
    }
    const attempt = `${restartTimesMs.length + 1}/${maxRestarts}`;
    if (spec.dryRun) {
      fields.restart = "dry-run";
      return { message: `dry-run: restart ${attempt} not run`, motivo: `simulación: reinicio ${attempt} no ejecutado` };
    }
    const started = await (spec.start ?? startDetached)({
      argv,
      cwd: spec.restartCwd ?? process.cwd(),
      logPath: spec.restartLogPath ?? "/dev/null",
    });
    if (!started.ok) {
      // Nothing runs: no slot is used, the next probe tries again.
      fields.restart_error = started.error;
      return { message: `restart failed: ${started.error}`, motivo: `el reinicio falló: ${started.error}` };
    }
    restartTimesMs.push(now);
    fields.restart_attempt = attempt;
    fields.restarted_pid = String(started.pid);
    // The next probe must find the new process: a pid file still naming the dead one would read as another crash.
    if (spec.pidfile) await writeFile(spec.pidfile, `${started.pid}\n`).catch(() => undefined);
    return { message: `restarted ${attempt} (pid ${started.pid})`, motivo: `reiniciado ${attempt} (pid ${started.pid})` };
  }

  return {
    id: `process:${spec.name}`,
    kind: "process",
    errorType: PROCESS_ERROR_TYPE,
    severity: "critical",
    timeoutMs: spec.timeoutMs ?? CHECK_DEFAULTS_MS.process.timeoutMs,
    failureThreshold: 1,
    // With a restart budget, a crash loop ends at max_restarts: flap detection would hold the edge that reports it.
    detectFlapping: !spec.restart,
    probe,
    lastKnownAlive: () => alive,
  };
}

/** One finding, for the operator (English) and for the admin (Spanish). */
interface Said {
  message: string;
  motivo: string;
}

/** Looks the process up by pid file or pattern and says what was found. */
async function locateProcess(spec: ProcessCheckSpec): Promise<{ alive: boolean; said: Said; fields: Record<string, string> }> {
  if (spec.pidfile) {
    const pid = await readPidFile(spec.pidfile);
    if (pid === null) {
      return { alive: false, said: { message: `pidfile ${spec.pidfile} missing`, motivo: `no existe el fichero de pid ${spec.pidfile}` }, fields: { pidfile: spec.pidfile } };
    }
    const alive = await isPidAlive(pid, spec.procDir);
    const fields = { pidfile: spec.pidfile, pid: String(pid) };
    const said = alive ? { message: `pid ${pid} running`, motivo: `pid ${pid} en marcha` } : { message: `pid ${pid} not running`, motivo: `pid ${pid} no está en marcha` };
    return { alive, said, fields };
  }
  const pattern = spec.pattern!;
  const pids = await findPidsByPattern(pattern, { procDir: spec.procDir });
  const fields: Record<string, string> = { pattern: pattern.source };
  if (pids.length === 0) {
    return { alive: false, said: { message: `no process matches /${pattern.source}/`, motivo: `ningún proceso coincide con /${pattern.source}/` }, fields };
  }
  fields.pid = pids.slice(0, 20).join(",");
  const shown = pids.slice(0, 5).join(", ");
  return { alive: true, said: { message: `${pids.length} running (pid ${shown})`, motivo: `${pids.length} en marcha (pid ${shown})` }, fields };
}
