import type { VerifyHandler } from "./verify-handler.js";
import { readString } from "../spec-options.js";
import { BYTES_PER_GB, formatBytes } from "../disk-space.js";
import { resolve } from "node:path";
import { findExistingAncestor } from "../../util/find-existing-ancestor.js";
import { PathRefusedError } from "../path-guard.js";
import { InvalidSpecError } from "../errors.js";
import { fillTemplate, MissingFieldError } from "../../util/template.js";

/**
 * `disk_free {path, fallback_path?, min_gb}`: the filesystem holding `path` has at least `min_gb` GiB free. The
 * path is the one that failed (a file that could not be written does not exist: its nearest existing folder is
 * measured, so a full tmpfs under `modelos/` is measured, not the working folder's disk). When the event named no
 * path, `fallback_path` (e.g. `{config.download_root}`) is measured. `min_gb` is a number or a `{config.…}` value
 * such as `{config.disk_warn_gb}`, so the verify and the disk check agree on when a full disk is over.
 */
export const diskFreeVerify: VerifyHandler = {
  type: "disk_free",
  async plan(spec, fields, ctx) {
    // Read-only and asks only "how much is free there": any folder may be measured, roots are for what is touched.
    // Captured values are still refused when they carry NUL or control characters.
    const raw = fillPathWithFallback(spec, fields);
    if (/[\u0000-\u001f]/.test(raw)) throw new PathRefusedError(raw, "control_char", "control characters in the path");
    const absolute = resolve(ctx.guard.baseDir, raw);
    const measured = findExistingAncestor(absolute);
    const minGb = readMinGb(spec.min_gb, fields);
    return {
      descripcion: `${ctx.guard.displayPath(measured)}: ≥ ${minGb} GB libres`,
      description: `${ctx.guard.displayPath(measured)}: ≥ ${minGb} GB free`,
      readOnly: true,
      async check() {
        const { free } = await ctx.getDiskSpace(measured);
        return { ok: free >= minGb * BYTES_PER_GB, detalle: `${formatBytes(free)} libres`, message: `${formatBytes(free)} free` };
      },
    };
  },
};

/** `path` filled from the match; `fallback_path` when the match lacks one of its fields. */
function fillPathWithFallback(spec: { type: string; [option: string]: unknown }, fields: Readonly<Record<string, string>>): string {
  try {
    return fillTemplate(readString(spec, "path"), fields);
  } catch (error) {
    if (!(error instanceof MissingFieldError) || typeof spec.fallback_path !== "string") throw error;
    return fillTemplate(spec.fallback_path, fields);
  }
}

/** A number, or a template (`{config.disk_warn_gb}`) that fills to one. */
function readMinGb(value: unknown, fields: Readonly<Record<string, string>>): number {
  const n = typeof value === "string" ? Number(fillTemplate(value, fields)) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new InvalidSpecError("disk_free", "min_gb", "a number >= 0", value);
  return n;
}
