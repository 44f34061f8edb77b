import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { OwnerIds } from "./owner.js";
import type { RemediationContext } from "./remediation-context.js";

/**
 * Whom a path should belong to: the action's own `owner`, else `remediation.owner`, else whoever owns the allowed
 * root that contains it (the bot's folder tree usually belongs to the bot).
 */
export async function resolveOwnerForPath(ctx: RemediationContext, explicitOwner: string | null, root: string): Promise<OwnerIds> {
  const spec = explicitOwner ?? ctx.owner;
  if (spec) return ctx.owners.resolveOwner(spec);
  const rootStat = await statNearest(root);
  return { uid: rootStat.uid, gid: rootStat.gid, label: `${rootStat.uid}:${rootStat.gid}` };
}

/** stat of the path, or of its nearest existing ancestor (a root not created yet inherits its parent's owner). */
async function statNearest(path: string) {
  for (let current = path; ; current = dirname(current)) {
    try {
      return await stat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(current) === current) throw error;
    }
  }
}
