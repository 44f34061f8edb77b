import { stat } from "node:fs/promises";
import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readNumber } from "../spec-options.js";
import { formatBytes } from "../disk-space.js";

/** `file_min_size {path, bytes}`: a regular file of at least that size (a download that completed). */
export const fileMinSizeVerify: VerifyHandler = {
  type: "file_min_size",
  async plan(spec, fields, ctx) {
    const target = await ctx.guard.resolvePath(readFilledString(spec, "path", fields));
    const minBytes = readNumber(spec, "bytes", { min: 0 });
    return {
      descripcion: `${target.display} ≥ ${formatBytes(minBytes)}`,
      description: `${target.display} ≥ ${formatBytes(minBytes)}`,
      readOnly: true,
      async check() {
        const stats = await stat(target.absolute).catch(() => null);
        if (!stats) return { ok: false, detalle: `${target.display} no existe`, message: `${target.display} does not exist` };
        if (!stats.isFile()) return { ok: false, detalle: `${target.display} no es un archivo`, message: `${target.display} is not a file` };
        const size = formatBytes(stats.size);
        if (stats.size < minBytes) return { ok: false, detalle: `${target.display} tiene ${size}`, message: `${target.display} has ${size}` };
        return { ok: true, detalle: size, message: size };
      },
    };
  },
};
