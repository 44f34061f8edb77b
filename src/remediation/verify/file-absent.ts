import { lstat } from "node:fs/promises";
import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString } from "../spec-options.js";

/** `file_absent {path}`: nothing is at the path any more (what cleanup fixes). */
export const fileAbsentVerify: VerifyHandler = {
  type: "file_absent",
  async plan(spec, fields, ctx) {
    const target = await ctx.guard.resolvePath(readFilledString(spec, "path", fields));
    return {
      descripcion: `no existe ${target.display}`,
      description: `${target.display} is absent`,
      readOnly: true,
      async check() {
        try {
          await lstat(target.absolute);
          return { ok: false, detalle: `${target.display} sigue existiendo`, message: `${target.display} still exists` };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT" || code === "ENOTDIR") return { ok: true, detalle: null, message: null };
          throw error;
        }
      },
    };
  },
};
