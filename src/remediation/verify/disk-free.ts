import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readNumber } from "../spec-options.js";
import { BYTES_PER_GB, formatBytes } from "../disk-space.js";
import { resolve } from "node:path";
import { PathRefusedError } from "../path-guard.js";

/** `disk_free {path, min_gb}`: the filesystem holding the path has at least `min_gb` GiB free (check-disk-space). */
export const diskFreeVerify: VerifyHandler = {
  type: "disk_free",
  async plan(spec, fields, ctx) {
    // Read-only and asks only "how much is free there": any folder may be measured, roots are for what is touched.
    // Captured values are still refused when they carry NUL or control characters.
    const raw = readFilledString(spec, "path", fields);
    if (/[\u0000-\u001f]/.test(raw)) throw new PathRefusedError(raw, "control_char", "control characters in the path");
    const absolute = resolve(ctx.guard.baseDir, raw);
    const target = { absolute, display: ctx.guard.displayPath(absolute) };
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
