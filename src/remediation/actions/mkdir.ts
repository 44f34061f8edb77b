import { chmod, lchown, lstat, mkdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { quoteArg } from "../../util/format-argv.js";
import { readBoolean, readFilledString, readMode, formatMode } from "../spec-options.js";
import { resolveOwnerForPath } from "../owner-for-path.js";
import { ActionFailedError } from "../errors.js";

/**
 * `mkdir {path, parent?, mode?}`: creates a folder with its parents (`parent: true` when the path names a file
 * and its folder is what is missing). Folders are created one level at a time from the deepest existing one, each
 * checked to be a real folder, so a symlink slipped in meanwhile is never followed. As root, the folders created
 * are given to the owner so the bot can write into them.
 */
export const mkdirAction: ActionHandler = {
  type: "mkdir",
  mainOption: "path",
  async plan(spec, fields, ctx) {
    const rawPath = readFilledString(spec, "path", fields);
    const parent = readBoolean(spec, "parent", false);
    const mode = readMode(spec, "mode");
    const target = await ctx.guard.resolvePath(rawPath, { parent });
    // Resolved before anything is created: an owner that does not exist must not leave root-owned folders behind.
    const owner = ctx.isRoot ? await resolveOwnerForPath(ctx, null, target.root) : null;
    const accion = `mkdir -p${mode === null ? "" : ` -m ${formatMode(mode)}`} ${quoteArg(target.display)}`;

    return {
      accion,
      command: accion,
      async execute() {
        if (target.exists) {
          const existing = await lstat(target.absolute);
          if (!existing.isDirectory()) throw new ActionFailedError(`${target.display} existe y no es una carpeta`, `${target.display} exists and is not a folder`);
          return { detalle: "ya existía", message: "already existed" };
        }
        const created: string[] = [];
        let current = target.existingAncestor;
        for (const segment of relative(target.existingAncestor, target.absolute).split(sep)) {
          current = join(current, segment);
          try {
            await mkdir(current, { mode: mode ?? 0o755 });
            created.push(current);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            // Created meanwhile (the bot retrying): fine if it is a real folder, never through a link.
            const raced = await lstat(current);
            const shown = ctx.guard.displayPath(current);
            if (!raced.isDirectory()) throw new ActionFailedError(`${shown} apareció y no es una carpeta`, `${shown} appeared and is not a folder`, { cause: error });
          }
          // mkdir's mode is filtered by the umask; an explicit mode is what the rule asked for.
          if (mode !== null && created.at(-1) === current) await chmod(current, mode);
        }
        let [ownerNote, ownerMessage] = ["", ""];
        if (owner && created.length > 0) {
          for (const folder of created) await lchown(folder, owner.uid, owner.gid);
          [ownerNote, ownerMessage] = [` (dueño ${owner.label})`, ` (owner ${owner.label})`];
        }
        const shown = created.map((folder) => ctx.guard.displayPath(folder)).join(", ");
        return { detalle: `creadas: ${shown || "ninguna"}${ownerNote}`, message: `created: ${shown || "none"}${ownerMessage}` };
      },
    };
  },
};
