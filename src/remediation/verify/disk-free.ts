import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readNumber } from "../spec-options.js";
import { BYTES_PER_GB, formatBytes } from "../disk-space.js";

/** `disk_free {path, min_gb}`: the filesystem holding the path has at least `min_gb` GiB free (check-disk-space). */
export const diskFreeVerify: VerifyHandler = {
  type: "disk_free",
  async plan(spec, fields, ctx) {
    const target = await ctx.guard.resolvePath(readFilledString(spec, "path", fields));
    const minGb = readNumber(spec, "min_gb", { min: 0 });
    return {
      descripcion: `${target.display}: ≥ ${minGb} GB libres`,
      readOnly: true,
      async check() {
        const { free } = await ctx.getDiskSpace(target.absolute);
        return { ok: free >= minGb * BYTES_PER_GB, detalle: `${formatBytes(free)} libres` };
      },
    };
  },
};
