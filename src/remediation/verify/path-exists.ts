import { stat } from "node:fs/promises";
import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString } from "../spec-options.js";

/** `path_exists {path}`: the file or folder is there (what mkdir fixes). */
export const pathExistsVerify: VerifyHandler = {
  type: "path_exists",
  async plan(spec, fields, ctx) {
    const target = await ctx.guard.resolvePath(readFilledString(spec, "path", fields));
    return {
      descripcion: `existe ${target.display}`,
      description: `${target.display} exists`,
      readOnly: true,
      async check() {
        try {
          await stat(target.absolute);
          return { ok: true, detalle: null, message: null };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          return { ok: false, detalle: `${target.display}: ${code ?? "no existe"}`, message: `${target.display}: ${code ?? "does not exist"}` };
        }
      },
    };
  },
};
