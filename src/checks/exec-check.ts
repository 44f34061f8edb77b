/**
 * `exec` check: any command, exit 0 = healthy (e.g. `docker inspect -f {{.State.Running}} telegram-bot-api`
 * with `expect_output: 'true'`, so Docker is never a dependency of vigia). The argv runs without a shell.
 */
import { runCommand } from "../util/run-command.js";
import type { Severity } from "../types.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";
import { clipText, type Check, type CheckProbe } from "./check.js";

export interface ExecCheckSpec {
  /** The check id is `exec:<name>`. */
  name: string;
  /** argv: the program and its arguments, never parsed by a shell. */
  command: string[];
  /** The command is killed after it; default `checks.exec[].timeout` (config/defaults.ts). */
  timeoutMs?: number;
  /** When set, stdout must also match it (exit 0 alone is not enough). */
  expectOutput?: RegExp;
  /** Rule id of the failure; default `comando_fallido`. */
  errorType?: string;
  /** Default warning. */
  severity?: Severity;
  cwd?: string;
}

const EXEC_ERROR_TYPE = "comando_fallido";
/** Between SIGTERM and SIGKILL for a command that overran. */
const KILL_GRACE_MS = 2000;

/** Builds the check for one command. */
export function createExecCheck(spec: ExecCheckSpec): Check {
  if (spec.command.length === 0) throw new Error(`exec check ${spec.name}: command is empty`);
  const timeoutMs = spec.timeoutMs ?? CHECK_DEFAULTS_MS.exec.timeoutMs;

  async function probe(signal: AbortSignal): Promise<CheckProbe> {
    // The command runs in its own process group: a timeout or the scheduler's deadline kills what it started too.
    const result = await runCommand(spec.command, {
      timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      signal,
      maxOutputBytes: 64 * 1024,
      cwd: spec.cwd,
    });
    const fields: Record<string, string> = { command: spec.command.join(" "), duration_ms: String(result.durationMs) };
    if (result.exitCode !== undefined) fields.exit_code = String(result.exitCode);
    if (result.timedOut) {
      return { ok: false, message: `timeout after ${timeoutMs} ms`, motivo: `sin terminar tras ${timeoutMs} ms`, fields: { ...fields, reason: "timeout" } };
    }
    if (result.aborted) return { ok: false, message: "cancelled", motivo: "cancelado", fields: { ...fields, reason: "cancelled" } };
    if (!result.ok) {
      // The command's own words (stderr, the spawn error) are quoted as they are, in both voices.
      const detail = clipText(result.stderrTail) || clipText(result.spawnFailure ?? "");
      const [head, cabecera] =
        result.spawnFailure !== undefined
          ? ["did not run", "no se pudo ejecutar"]
          : result.signal
            ? [`killed by ${result.signal}`, `terminado por ${result.signal}`]
            : [`exit ${result.exitCode}`, `código de salida ${result.exitCode}`];
      const tail = detail ? `: ${detail}` : "";
      return { ok: false, message: `${head}${tail}`, motivo: `${cabecera}${tail}`, fields: { ...fields, reason: "exit" } };
    }
    const stdout = result.stdoutTail;
    if (spec.expectOutput && !spec.expectOutput.test(stdout)) {
      const shown = JSON.stringify(clipText(stdout, 60));
      return {
        ok: false,
        message: `output ${shown} does not match /${spec.expectOutput.source}/`,
        motivo: `la salida ${shown} no coincide con /${spec.expectOutput.source}/`,
        fields: { ...fields, reason: "output" },
      };
    }
    return { ok: true, message: `exit 0 in ${fields.duration_ms} ms`, motivo: `código de salida 0 en ${fields.duration_ms} ms`, fields };
  }

  return {
    id: `exec:${spec.name}`,
    kind: "exec",
    errorType: spec.errorType ?? EXEC_ERROR_TYPE,
    severity: spec.severity ?? "warning",
    // The command's own timeout fires first; the runner's is the backstop for a process that ignores SIGTERM.
    timeoutMs: timeoutMs + KILL_GRACE_MS + 1000,
    failureThreshold: 1,
    probe,
  };
}
