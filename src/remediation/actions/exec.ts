import { resolve } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { readArgv, readEnv, readOptionalString, readTimeoutMs } from "../spec-options.js";
import { fillTemplate } from "../../util/template.js";
import { runCommandOrThrow } from "../run-action-command.js";
import { formatArgv } from "../../util/format-argv.js";
import { confineCapturedValues } from "../confine-captured-values.js";

/**
 * `exec {command, cwd?, env?, timeout?}`: runs an operator's command (retry a download, restart the local Bot
 * API). `command` is argv: each item is one argument whatever a captured value holds, and no shell is involved.
 * A templated `cwd` comes from the log, so it must pass the guard; a literal one resolves against the base dir.
 * Captured values in `command` and `env` are confined (confineCapturedValues): path-like ones pass the guard,
 * option-like ones are refused.
 * Killed at its timeout (default `remediation.action_timeout`); a non-zero exit fails the attempt.
 */
export const execAction: ActionHandler = {
  type: "exec",
  mainOption: "command",
  async plan(spec, fields, ctx) {
    const argv = readArgv(spec, "command", fields);
    const env = readEnv(spec, "env", fields);
    const timeoutMs = readTimeoutMs(spec, ctx.actionTimeoutMs);
    const rawCwd = readOptionalString(spec, "cwd");
    let cwd = ctx.guard.baseDir;
    if (rawCwd !== null) {
      cwd = rawCwd.includes("{")
        ? (await ctx.guard.resolvePath(fillTemplate(rawCwd, fields))).absolute
        : resolve(ctx.guard.baseDir, rawCwd);
    }
    await confineCapturedValues({ specType: "exec", key: "command", rawItems: spec.command as string[], filledItems: argv, fields, guard: ctx.guard, cwd });
    if (env) {
      const rawEnv = spec.env as Record<string, string>;
      const names = Object.keys(env);
      await confineCapturedValues({
        specType: "exec",
        key: "env",
        rawItems: names.map((name) => rawEnv[name]!),
        filledItems: names.map((name) => env[name]!),
        fields,
        guard: ctx.guard,
        cwd,
        allowOptionLike: true,
      });
    }

    return {
      accion: formatArgv(argv),
      command: formatArgv(argv),
      ownsTimeout: true,
      async execute() {
        const outcome = await runCommandOrThrow(argv, {
          cwd,
          env,
          timeoutMs,
          killGraceMs: ctx.killGraceMs,
          signal: ctx.signal,
          maxOutputBytes: ctx.maxOutputBytes,
          clock: ctx.clock,
        });
        // The command's last line of output is usually its own summary ("descarga reanudada"): worth journaling.
        const lastLine = outcome.stdoutTail.trim().split("\n").at(-1)?.trim() ?? "";
        // The command's own words, quoted as they are in both voices.
        const said = lastLine.slice(0, 200);
        return said === "" ? { exitCode: 0 } : { detalle: said, message: said, exitCode: 0 };
      },
    };
  },
};
