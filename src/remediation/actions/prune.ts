import { lstat, opendir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { quoteArg } from "../../util/format-argv.js";
import { readFilledString, readNumber, readString } from "../spec-options.js";
import { compileNameGlob } from "../glob-match.js";
import { BYTES_PER_GB, formatBytes } from "../disk-space.js";
import { ActionFailedError, RemediationAbortedError } from "../errors.js";

/** Files considered per run at most: a runaway folder must not turn one prune into minutes of walking. */
const MAX_SCANNED_ENTRIES = 200_000;
const DAY_MS = 24 * 60 * 60 * 1000;

interface PruneCandidate {
  path: string;
  mtimeMs: number;
  bytes: number;
  dev: number;
  ino: number;
}

/**
 * `prune {dir, glob, older_than_days, target_free_gb}`: for a full disk, deletes regular files whose name matches
 * `glob` and that are older than N days, anywhere below `dir` (links not followed), oldest first, stopping as
 * soon as the filesystem has `target_free_gb` free. Fails when the target is still not met.
 */
export const pruneAction: ActionHandler = {
  type: "prune",
  mainOption: "dir",
  async plan(spec, fields, ctx) {
    const rawDir = readFilledString(spec, "dir", fields);
    const glob = readString(spec, "glob");
    const nameMatcher = compileNameGlob(glob);
    const olderThanDays = readNumber(spec, "older_than_days", { min: 0 });
    const targetFreeGb = readNumber(spec, "target_free_gb", { min: 0 });
    const dir = await ctx.guard.resolvePath(rawDir);
    const accion = `prune ${quoteArg(`${dir.display}/${glob}`)} (> ${olderThanDays} días) hasta ${targetFreeGb} GB libres`;

    return {
      accion,
      command: `prune ${quoteArg(`${dir.display}/${glob}`)} (> ${olderThanDays} days) until ${targetFreeGb} GB free`,
      async execute() {
        const targetBytes = targetFreeGb * BYTES_PER_GB;
        const before = await ctx.getDiskSpace(dir.absolute);
        if (before.free >= targetBytes) return { detalle: `ya hay ${formatBytes(before.free)} libres`, message: `${formatBytes(before.free)} free already`, freedBytes: 0 };
        if (!dir.exists) {
          throw new ActionFailedError(
            `${dir.display} no existe; nada que borrar y solo ${formatBytes(before.free)} libres`,
            `${dir.display} does not exist: nothing to delete, and only ${formatBytes(before.free)} free`,
          );
        }

        const cutoffMs = ctx.clock.now() - olderThanDays * DAY_MS;
        const candidates = await listCandidates(dir.absolute, nameMatcher, cutoffMs, ctx.signal);
        candidates.sort((a, b) => a.mtimeMs - b.mtimeMs);
        let freedBytes = 0;
        let deleted = 0;
        for (const candidate of candidates) {
          if (before.free + freedBytes >= targetBytes) break;
          if (ctx.signal.aborted) throw new RemediationAbortedError();
          // Still the same regular file we listed (not replaced by a link or a folder meanwhile).
          const current = await lstat(candidate.path).catch(() => null);
          if (!current?.isFile() || current.nlink !== 1 || current.ino !== candidate.ino || current.dev !== candidate.dev) continue;
          await unlink(candidate.path);
          freedBytes += candidate.bytes;
          deleted += 1;
        }
        const after = await ctx.getDiskSpace(dir.absolute);
        const detalle = `${deleted} archivos borrados, ${formatBytes(freedBytes)} liberados; ${formatBytes(after.free)} libres`;
        const message = `${deleted} files deleted, ${formatBytes(freedBytes)} freed; ${formatBytes(after.free)} free`;
        if (after.free < targetBytes) throw new ActionFailedError(`${detalle} (objetivo ${targetFreeGb} GB no alcanzado)`, `${message} (target ${targetFreeGb} GB not reached)`);
        return { detalle, message, freedBytes };
      },
    };
  },
};

/** Regular files below `top` whose name matches and whose mtime is before the cutoff; links are neither listed nor followed. */
async function listCandidates(top: string, nameMatcher: RegExp, cutoffMs: number, signal: AbortSignal): Promise<PruneCandidate[]> {
  const found: PruneCandidate[] = [];
  const folders = [top];
  let scanned = 0;
  while (folders.length > 0 && scanned < MAX_SCANNED_ENTRIES) {
    if (signal.aborted) throw new RemediationAbortedError();
    const folder = folders.pop()!;
    for await (const entry of await opendir(folder)) {
      scanned += 1;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile() && nameMatcher.test(entry.name)) {
        const stats = await lstat(path).catch(() => null);
        // A hard-linked file is skipped: deleting one of its names frees nothing, and another may be outside the roots.
        if (stats?.isFile() && stats.nlink === 1 && stats.mtimeMs < cutoffMs) {
          // Blocks actually allocated, not the apparent size: a sparse file frees less than it claims.
          found.push({ path, mtimeMs: stats.mtimeMs, bytes: Math.min(stats.size, stats.blocks * 512), dev: stats.dev, ino: stats.ino });
        }
      }
      if (scanned >= MAX_SCANNED_ENTRIES) break;
    }
  }
  return found;
}
