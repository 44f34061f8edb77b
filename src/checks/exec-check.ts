/**
 * `exec` check: any command, exit 0 = healthy (e.g. `docker inspect -f {{.State.Running}} telegram-bot-api`
 * with `expect_output: 'true'`, so Docker is never a dependency of vigia). The argv runs without a shell.
 */
import { execa } from "execa";
import type { Severity } from "../types.js";
import { clipText, type Check, type CheckProbe } from "./check.js";

export interface ExecCheckSpec {
  /** The check id is `exec:<name>`. */
  name: string;
  /** argv: the program and its arguments, never parsed by a shell. */
  command: string[];
  /** Default 30000; the command is killed after it. */
  timeoutMs?: number;
  /** When set, stdout must also match it (exit 0 alone is not enough). */
  expectOutput?: RegExp;
  /** Rule id of the failure; default `comando_fallido`. */
  errorType?: string;
  /** Default warning. */
  severity?: Severity;
  cwd?: string;
}

const EXEC_CHECK_DEFAULTS = { timeoutMs: 30_000, errorType: "comando_fallido", killGraceMs: 2000 } as const;

/** Builds the check for one command. */
export function createExecCheck(spec: ExecCheckSpec): Check {
  if (spec.command.length === 0) throw new Error(`exec check ${spec.name}: command is empty`);
  const timeoutMs = spec.timeoutMs ?? EXEC_CHECK_DEFAULTS.timeoutMs;
  const [file, ...args] = spec.command as [string, ...string[]];

  async function probe(signal: AbortSignal): Promise<CheckProbe> {
    const result = await execa(file, args, {
      timeout: timeoutMs,
      cancelSignal: signal,
      forceKillAfterDelay: EXEC_CHECK_DEFAULTS.killGraceMs,
      reject: false,
      stdin: "ignore",
      maxBuffer: 64 * 1024,
      cwd: spec.cwd,
    });
    const fields: Record<string, string> = { command: spec.command.join(" "), duration_ms: String(Math.round(result.durationMs)) };
    if (result.exitCode !== undefined) fields.exit_code = String(result.exitCode);
    if (result.timedOut) return { ok: false, message: `timeout after ${timeoutMs} ms`, fields: { ...fields, reason: "timeout" } };
    if (result.failed) {
      const detail = clipText(String(result.stderr ?? "")) || clipText(result.shortMessage ?? "");
      const head = result.exitCode === undefined ? "did not run" : `exit ${result.exitCode}`;
      return { ok: false, message: detail ? `${head}: ${detail}` : head, fields: { ...fields, reason: "exit" } };
    }
    const stdout = String(result.stdout ?? "");
    if (spec.expectOutput && !spec.expectOutput.test(stdout)) {
      return {
        ok: false,
        message: `output ${JSON.stringify(clipText(stdout, 60))} does not match /${spec.expectOutput.source}/`,
        fields: { ...fields, reason: "output" },
      };
    }
    return { ok: true, message: `exit 0 in ${fields.duration_ms} ms`, fields };
  }

  return {
    id: `exec:${spec.name}`,
    kind: "exec",
    errorType: spec.errorType ?? EXEC_CHECK_DEFAULTS.errorType,
    severity: spec.severity ?? "warning",
    // The command's own timeout fires first; the runner's is the backstop for a process that ignores SIGTERM.
    timeoutMs: timeoutMs + EXEC_CHECK_DEFAULTS.killGraceMs + 1000,
    failureThreshold: 1,
    probe,
  };
}
