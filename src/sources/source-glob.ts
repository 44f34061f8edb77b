import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import picomatch from "picomatch";
import { isRotatedSiblingName } from "./rotated-siblings.js";

/** A `sources[].path` with glob characters (`logs/*.log`, `logs/**\/*.log`), compiled. */
export interface SourceGlob {
  /** The absolute pattern. */
  pattern: string;
  /** The folder before the first segment with a glob character: everything that can match is below it. */
  root: string;
  /** Folder levels below `root` where matches can be: 0 for `root/*.log`, Infinity with `**`. */
  maxDepth: number;
  /** Whether an absolute path matches the pattern (dotfiles only when the pattern names them). */
  matches(path: string): boolean;
}

/** Whether a configured path is a glob pattern rather than one file. */
export function isGlobPattern(path: string): boolean {
  return picomatch.scan(path).isGlob;
}

/** Compiles an absolute (or cwd-relative) glob pattern. */
export function compileSourceGlob(pattern: string): SourceGlob {
  const absolute = resolve(pattern);
  const { base, glob } = picomatch.scan(absolute);
  const segments = glob.split("/");
  return {
    pattern: absolute,
    root: base === "" ? "/" : base,
    maxDepth: segments.some((segment) => segment.includes("**")) ? Number.POSITIVE_INFINITY : segments.length - 1,
    matches: picomatch(absolute),
  };
}

/**
 * The regular files (symlinks followed) that match `glob` now, sorted, without the rotated siblings of another
 * match: with `logs/*`, `bot.log.1` is `bot.log`'s past, read by `bot.log`'s tailer when it rotates, not a source.
 * Sub-folders are listed down to the glob's depth; symlinked folders are not followed (no loops).
 */
export async function listGlobMatches(glob: SourceGlob, under: string = glob.root): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < glob.maxDepth) await walk(path, depth + 1);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && glob.matches(path) && (await isRegularFile(path))) {
        found.push(path);
      }
    }
  };
  await walk(under, getFolderDepth(glob, under));
  return dropRotatedSiblings(found).sort();
}

/** Whether `path` is a regular file (following a symlink). */
async function isRegularFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st !== null && st.isFile();
}

/** Paths whose name is not a rotated-sibling name of another path of the same folder. */
function dropRotatedSiblings(paths: readonly string[]): string[] {
  const names = new Set(paths);
  return paths.filter((path) => !isRotatedSiblingOfAny(path, names));
}

/** Whether `path` is a rotated sibling (`bot.log.1`) of one of `others` (`bot.log`) in the same folder. */
export function isRotatedSiblingOfAny(path: string, others: Iterable<string>): boolean {
  const folder = dirname(path);
  const name = basename(path);
  for (const other of others) {
    if (other !== path && dirname(other) === folder && isRotatedSiblingName(name, basename(other))) return true;
  }
  return false;
}

/** How many levels below the glob's root `folder` is (0 for the root). */
function getFolderDepth(glob: SourceGlob, folder: string): number {
  if (folder === glob.root) return 0;
  return folder.slice(glob.root.length).split("/").filter(Boolean).length;
}
