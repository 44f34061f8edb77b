import { lchown, lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { quoteArg } from "../format-argv.js";
import { readBoolean, readFilledString, readOptionalString } from "../spec-options.js";
import { resolveOwnerForPath } from "../owner-for-path.js";
import { PathRefusedError } from "../path-guard.js";
import { runCommand } from "../run-command.js";
import { CommandFailedError, RemediationAbortedError } from "../errors.js";

/**
 * `chown {path, recursive?, owner?}`: gives a path to the bot's user. When the path does not exist — the bot could
 * not *create* a file — the folder that refused it (the deepest existing ancestor, which must itself lie inside
 * the roots) is what gets chowned. Symlinks are never followed: lchown, and a recursive walk that does not
 * descend into links. With `remediation.sudo`, `sudo -n chown -h` does it (never waits for a password).
 */
export const chownAction: ActionHandler = {
  type: "chown",
  mainOption: "path",
  async plan(spec, fields, ctx) {
    const rawPath = readFilledString(spec, "path", fields);
    const recursive = readBoolean(spec, "recursive", false);
    const explicitOwner = readOptionalString(spec, "owner");
    const target = await ctx.guard.resolvePath(rawPath);
    const chownPath = target.exists ? target.absolute : target.existingAncestor;
    const root = await ctx.guard.findRoot(chownPath);
    if (!root) {
      throw new PathRefusedError(rawPath, "outside_roots", `no existe, y su carpeta existente más cercana (${chownPath}) está fuera de las raíces`);
    }
    const owner = await resolveOwnerForPath(ctx, explicitOwner, root);
    const shown = ctx.guard.displayPath(chownPath);
    const accion = `${ctx.sudo ? "sudo -n " : ""}chown ${recursive ? "-R " : ""}${owner.label} ${quoteArg(shown)}`;
    const note = target.exists ? null : `${target.display} no existe: se cambia la carpeta ${shown}`;

    return {
      accion,
      ownsTimeout: ctx.sudo,
      async execute() {
        if (ctx.sudo) {
          const argv = ["sudo", "-n", "chown", "-h", ...(recursive ? ["-R"] : []), "--", `${owner.uid}:${owner.gid}`, chownPath];
          const outcome = await runCommand(argv, {
            timeoutMs: ctx.actionTimeoutMs,
            killGraceMs: ctx.killGraceMs,
            signal: ctx.signal,
            maxOutputBytes: ctx.maxOutputBytes,
            timers: ctx.timers,
          });
          if (outcome.aborted) throw new RemediationAbortedError();
          if (!outcome.ok) {
            throw new CommandFailedError(outcome.command, outcome.exitCode, outcome.signal, outcome.timedOut, outcome.stderrTail, outcome.shortMessage);
          }
          return { detalle: note, exitCode: 0 };
        }
        if (!recursive) {
          await lchown(chownPath, owner.uid, owner.gid);
          return { detalle: note };
        }
        const count = await chownTree(chownPath, owner.uid, owner.gid, ctx.signal);
        return { detalle: [note, `${count} entradas`].filter(Boolean).join("; ") };
      },
    };
  },
};

/** lchown a folder and everything below it, without following links; returns how many entries were changed. */
async function chownTree(top: string, uid: number, gid: number, signal: AbortSignal): Promise<number> {
  let count = 0;
  const folders = [top];
  await lchown(top, uid, gid);
  count += 1;
  if (!(await lstat(top)).isDirectory()) return count;
  while (folders.length > 0) {
    if (signal.aborted) throw new RemediationAbortedError();
    const folder = folders.pop()!;
    for await (const entry of await opendir(folder)) {
      const path = join(folder, entry.name);
      await lchown(path, uid, gid);
      count += 1;
      if (entry.isDirectory()) folders.push(path); // a symlink to a folder is not isDirectory(): not followed
    }
  }
  return count;
}
