import { access, stat } from "node:fs/promises";
import { constants } from "node:fs";
import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readOptionalString } from "../spec-options.js";
import { resolveOwnerForPath } from "../owner-for-path.js";
import { checkWritableAs } from "../access-as.js";

/**
 * `path_writable {path, user?}`: the bot's user can write the path, or create it when it does not exist (what
 * chown fixes). Judged for `user`, else `remediation.owner`, else the owner of the allowed root, from owner and
 * mode bits — as root, access(2) would say yes to everything. A vigia that is not root and has no user to judge
 * for asks access(2) for itself.
 */
export const pathWritableVerify: VerifyHandler = {
  type: "path_writable",
  async plan(spec, fields, ctx) {
    const rawPath = readFilledString(spec, "path", fields);
    const explicitUser = readOptionalString(spec, "user");
    const target = await ctx.guard.resolvePath(rawPath);
    const judgeByBits = ctx.isRoot || explicitUser !== null || ctx.owner !== null;
    const owner = judgeByBits ? await resolveOwnerForPath(ctx, explicitUser, target.root) : null;
    return {
      descripcion: `${target.display} escribible${owner ? ` por ${owner.label}` : ""}`,
      description: `${target.display} writable${owner ? ` by ${owner.label}` : ""}`,
      readOnly: true,
      async check() {
        // Re-resolved at check time: the action just before may have created or chowned part of the path.
        const now = await ctx.guard.resolvePath(rawPath);
        if (owner) {
          const verdict = await checkWritableAs(await ctx.owners.resolveCredentials(owner), now.absolute, now.existingAncestor);
          return { ok: verdict.ok, detalle: verdict.reason, message: verdict.message };
        }
        const checked = now.exists ? now.absolute : now.existingAncestor;
        const isFolder = (await stat(checked)).isDirectory();
        try {
          await access(checked, isFolder ? constants.W_OK | constants.X_OK : constants.W_OK);
          return { ok: true, detalle: null, message: null };
        } catch (error) {
          const said = `${ctx.guard.displayPath(checked)}: ${(error as NodeJS.ErrnoException).code}`;
          return { ok: false, detalle: said, message: said };
        }
      },
    };
  },
};
