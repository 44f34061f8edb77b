import { constants, type Stats } from "node:fs";
import { copyFile, lstat, mkdir, open, realpath, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ActionHandler } from "./action-handler.js";
import { quoteArg } from "../../util/format-argv.js";
import type { GuardedPath } from "../path-guard.js";
import { PathRefusedError } from "../path-guard.js";
import { readFilledString } from "../spec-options.js";
import { NotRegularFileError } from "../errors.js";
import { formatBytes } from "../disk-space.js";
import { refuseHardLink } from "../refuse-hard-link.js";

/**
 * `cleanup {path}`: removes a corrupt file — deleted, or moved to `remediation.quarantine_dir` when set.
 *
 * Regular files only: never a folder, never through a symlink. Node has no unlinkat(2), so the window between
 * checking and deleting is narrowed instead: the guard refuses a final symlink, then just before acting the file
 * is lstat'ed, opened with O_NOFOLLOW and compared by device + inode, and its folder is realpath'ed again to be
 * the one the guard approved. unlink(2) itself never follows a final symlink. An already missing file counts as
 * cleaned (the bot may have removed it first), and so does a file modified after the incident was detected: that
 * is the new download (a job resumed after a restart runs its cleanup again), not the corrupt file.
 *
 * It runs once per incident: the cleared path then waits for the bot's new download (the rule's resolve_on).
 */
export const cleanupAction: ActionHandler = {
  type: "cleanup",
  once: true,
  awaits: "una nueva descarga",
  mainOption: "path",
  async plan(spec, fields, ctx) {
    const rawPath = readFilledString(spec, "path", fields);
    const target = await ctx.guard.resolvePath(rawPath, { destructive: true });
    const quarantine = ctx.quarantineDir ? await ctx.guard.resolvePath(ctx.quarantineDir) : null;
    const accion = quarantine ? `mv ${quoteArg(target.display)} ${quoteArg(`${quarantine.display}/`)}` : `rm ${quoteArg(target.display)}`;

    return {
      accion,
      command: accion,
      async execute() {
        const checked = await checkRegularFile(target);
        if (!checked) return { detalle: "ya no existía", message: "already gone", freedBytes: 0, summary: "el archivo ya no existía" };
        if (ctx.detectedAtMs !== null && checked.mtimeMs > ctx.detectedAtMs + NEWER_SLACK_MS) {
          return {
            detalle: "no se borra: el archivo cambió después del error (nueva descarga)",
            message: "not removed: the file changed after the error (a new download)",
            freedBytes: 0,
            summary: "el archivo ya había sido reemplazado",
          };
        }
        if (!quarantine) {
          await unlink(target.absolute);
          const size = formatBytes(checked.size);
          return { detalle: `${size} borrados`, message: `${size} removed`, freedBytes: checked.size, summary: "archivo eliminado" };
        }
        await mkdir(quarantine.absolute, { recursive: true });
        const destination = await pickQuarantineName(quarantine.absolute, basename(target.absolute), ctx.clock.now());
        await moveFile(target.absolute, destination);
        return {
          detalle: `movido a ${ctx.guard.displayPath(destination)} (${formatBytes(checked.size)})`,
          message: `moved to ${ctx.guard.displayPath(destination)} (${formatBytes(checked.size)})`,
          freedBytes: 0,
          summary: "archivo movido a cuarentena",
        };
      },
    };
  },
};

/**
 * A file whose mtime is this much after the detection is a new one. The slack covers coarse filesystem clocks
 * (the kernel stamps files with a clock that lags by up to a tick; some filesystems keep seconds).
 */
const NEWER_SLACK_MS = 2000;

/** The file's stats if it is still the regular file the guard approved; null if gone; throws otherwise. */
async function checkRegularFile(target: GuardedPath): Promise<Stats | null> {
  let before: Stats;
  try {
    before = await lstat(target.absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (before.isSymbolicLink()) throw new PathRefusedError(target.input, "symlink", "es un enlace simbólico; no se borra");
  if (!before.isFile()) throw new NotRegularFileError(target.display, describeKind(before));
  // O_NOFOLLOW: if a link replaced the file since lstat, open fails (ELOOP) instead of reaching its target.
  const handle = await open(target.absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== before.ino || opened.dev !== before.dev) {
      throw new PathRefusedError(target.input, "symlink", "el archivo cambió durante la comprobación");
    }
    refuseHardLink(opened, target.input);
  } finally {
    await handle.close();
  }
  const folder = dirname(target.absolute);
  if ((await realpath(folder)) !== folder) {
    throw new PathRefusedError(target.input, "symlink", "su carpeta cambió (enlace simbólico) durante la comprobación");
  }
  return before;
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return "una carpeta";
  if (stats.isFIFO()) return "una FIFO";
  if (stats.isSocket()) return "un socket";
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return "un dispositivo";
  return "algo especial";
}

/** `20251225T143020Z-name.mp4`, with a counter when taken: quarantined files never overwrite each other. */
async function pickQuarantineName(folder: string, name: string, nowMs: number): Promise<string> {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  for (let n = 0; ; n += 1) {
    const candidate = join(folder, `${stamp}-${n === 0 ? "" : `${n}-`}${name}`);
    try {
      await lstat(candidate);
    } catch {
      return candidate;
    }
  }
}

/** rename, or copy + unlink when the quarantine is on another filesystem. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await unlink(from);
  }
}
