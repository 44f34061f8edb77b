import { constants, type Stats } from "node:fs";
import { lchown, lstat, open, opendir } from "node:fs/promises";
import { join } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { quoteArg } from "../../util/format-argv.js";
import { readBoolean, readFilledString, readOptionalString } from "../spec-options.js";
import { resolveOwnerForPath } from "../owner-for-path.js";
import { PathRefusedError } from "../path-guard.js";
import { runCommandOrThrow } from "../run-action-command.js";
import { RemediationAbortedError } from "../errors.js";
import { isHardLinkedFile, refuseHardLink } from "../refuse-hard-link.js";
import type { RemediationContext } from "../remediation-context.js";

/**
 * `chown {path, recursive?, owner?}`: gives a path to the bot's user. When the path does not exist — the bot could
 * not *create* a file — the folder that refused it (the deepest existing ancestor, which must itself lie inside
 * the roots) is what gets chowned. Symlinks are never followed: lchown, and a recursive walk that does not
 * descend into links. A regular file with more than one name (a hard link) is refused, and skipped by `-R`: its
 * other names may lie outside the roots. With `remediation.sudo`, `sudo -n chown -h` does it (never waits for a
 * password).
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
    const note = target.exists
      ? null
      : { detalle: `${target.display} no existe: se cambia la carpeta ${shown}`, message: `${target.display} does not exist: its folder ${shown} is changed` };

    return {
      accion,
      command: accion,
      ownsTimeout: ctx.sudo,
      async execute() {
        if (!recursive) {
          const stats = await lstat(chownPath);
          refuseHardLink(stats, rawPath);
          if (ctx.sudo) await runSudoChown([chownPath], owner, ctx);
          else await changeOwnerNoFollow(chownPath, stats, owner.uid, owner.gid, rawPath);
          const ran = ctx.sudo ? { exitCode: 0 } : {};
          return note ? { ...note, ...ran } : ran;
        }
        const walked = await walkTree(chownPath, rawPath, ctx.signal);
        if (ctx.sudo) {
          for (let i = 0; i < walked.paths.length; i += SUDO_BATCH) await runSudoChown(walked.paths.slice(i, i + SUDO_BATCH), owner, ctx);
        } else {
          for (const entry of walked.entries) await changeOwnerNoFollow(entry.path, entry.stats, owner.uid, owner.gid, rawPath);
        }
        const skipped = walked.hardLinks > 0 ? [`${walked.hardLinks} enlaces duros omitidos`, `${walked.hardLinks} hard links skipped`] : [null, null];
        return {
          detalle: [note?.detalle, `${walked.paths.length} entradas`, skipped[0]].filter(Boolean).join("; "),
          message: [note?.message, `${walked.paths.length} entries`, skipped[1]].filter(Boolean).join("; "),
        };
      },
    };
  },
};

/** Paths per `sudo chown` call: well below any argv limit. */
const SUDO_BATCH = 200;

/**
 * `sudo -n chown -h -- uid:gid PATHS…` (never `-R`: chown -R would follow hard links; the walk lists the paths).
 * -h changes a symlink itself, never its target.
 */
async function runSudoChown(paths: string[], owner: { uid: number; gid: number }, ctx: RemediationContext): Promise<void> {
  const argv = ["sudo", "-n", "chown", "-h", "--", `${owner.uid}:${owner.gid}`, ...paths];
  await runCommandOrThrow(argv, {
    timeoutMs: ctx.actionTimeoutMs,
    killGraceMs: ctx.killGraceMs,
    signal: ctx.signal,
    maxOutputBytes: ctx.maxOutputBytes,
    clock: ctx.clock,
  });
}

/**
 * Changes the owner of one entry without following links. A regular file is opened (O_NOFOLLOW) and changed through
 * its descriptor after checking that it is still the single-named file that was listed: swapping it for a link or a
 * hard link meanwhile cannot redirect the chown. Anything else is lchown'ed (a symlink itself, never its target).
 */
async function changeOwnerNoFollow(path: string, listed: Stats, uid: number, gid: number, input: string): Promise<void> {
  if (!listed.isFile()) {
    await lchown(path, uid, gid);
    return;
  }
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== listed.ino || opened.dev !== listed.dev) {
      throw new PathRefusedError(input, "symlink", "el archivo cambió durante la comprobación");
    }
    refuseHardLink(opened, input);
    await handle.chown(uid, gid);
  } finally {
    await handle.close();
  }
}

interface WalkedTree {
  entries: Array<{ path: string; stats: Stats }>;
  paths: string[];
  /** Regular files with more than one name, left alone. */
  hardLinks: number;
}

/**
 * A folder and everything below it, without following links (a symlink to a folder is listed, not entered).
 * Hard-linked files are skipped and counted; the top itself, if it is one, is refused.
 */
async function walkTree(top: string, input: string, signal: AbortSignal): Promise<WalkedTree> {
  const topStats = await lstat(top);
  refuseHardLink(topStats, input);
  const walked: WalkedTree = { entries: [{ path: top, stats: topStats }], paths: [top], hardLinks: 0 };
  if (!topStats.isDirectory()) return walked;
  const folders = [top];
  while (folders.length > 0) {
    if (signal.aborted) throw new RemediationAbortedError();
    const folder = folders.pop()!;
    for await (const entry of await opendir(folder)) {
      const path = join(folder, entry.name);
      const stats = await lstat(path);
      if (isHardLinkedFile(stats)) {
        walked.hardLinks += 1;
        continue;
      }
      walked.entries.push({ path, stats });
      walked.paths.push(path);
      if (stats.isDirectory()) folders.push(path);
    }
  }
  return walked;
}
