import type { VerifyHandler } from "./verify-handler.js";
import { readArgv, readTimeoutMs } from "../spec-options.js";
import { runActionCommand } from "../run-action-command.js";
import { formatArgv } from "../../util/format-argv.js";
import { confineCapturedValues } from "../confine-captured-values.js";

/** `exec_ok {command, timeout?}`: a command exits 0 within its timeout (default `remediation.action_timeout`). No shell. */
export const execOkVerify: VerifyHandler = {
  type: "exec_ok",
  async plan(spec, fields, ctx) {
    const argv = readArgv(spec, "command", fields);
    await confineCapturedValues({ specType: "exec_ok", key: "command", rawItems: spec.command as string[], filledItems: argv, fields, guard: ctx.guard, cwd: ctx.guard.baseDir });
    const timeoutMs = readTimeoutMs(spec, ctx.actionTimeoutMs);
    return {
      descripcion: `${formatArgv(argv)} → código 0`,
      description: `${formatArgv(argv)} → exit code 0`,
      readOnly: false,
      async check() {
        const outcome = await runActionCommand(argv, {
          cwd: ctx.guard.baseDir,
          timeoutMs,
          killGraceMs: ctx.killGraceMs,
          signal: ctx.signal,
          maxOutputBytes: ctx.maxOutputBytes,
          clock: ctx.clock,
        });
        return outcome.ok ? { ok: true, detalle: null, message: null } : { ok: false, detalle: outcome.shortMessage, message: outcome.englishMessage };
      },
    };
  },
};
