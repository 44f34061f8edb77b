import { realpathSync } from "node:fs";
import type { Stats } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from "node:path";
import { systemClock, type Clock } from "../util/clock.js";

/**
 * The path guard: the security boundary between log lines (untrusted) and the filesystem.
 *
 * Every path an action or verification touches comes from a template filled with captured values, so it is hostile
 * until proven otherwise. The guard rejects it on sight when it carries NUL or control bytes, `..` segments (any,
 * not only escaping ones: a log value has no business climbing folders), percent-encoded traversal or absurd
 * lengths; otherwise it resolves it the way the kernel will — realpath of the deepest existing ancestor, then the
 * missing segments — and requires the result inside one of the allowed roots (themselves realpath'ed). A symlink
 * anywhere on the way is followed before the check, so a link leading outside is refused. Destructive actions get
 * two more rules: never a root itself, and never the final component as a symlink (we delete files, not what a
 * link points to).
 */

/** Why a path was refused; stable strings for the journal and for tests. */
export type PathRefusalReason =
  | "empty"
  | "nul_byte"
  | "control_char"
  | "dot_dot"
  | "encoded_traversal"
  | "too_long"
  | "outside_roots"
  | "is_root"
  | "symlink"
  | "hard_link"
  | "no_roots";

/** Each refusal in English, for vigia's own log (`detail` is the journal's Spanish). */
const REFUSAL_IN_ENGLISH: Readonly<Record<PathRefusalReason, string>> = {
  empty: "empty path",
  nul_byte: "contains a NUL byte",
  control_char: "contains control characters",
  dot_dot: "contains a '..' segment",
  encoded_traversal: "contains an encoded '.', '/' or '\\'",
  too_long: "too long",
  outside_roots: "outside remediation.allowed_roots",
  is_root: "an allowed root itself: never removed",
  symlink: "a symbolic link: nothing is removed through links",
  hard_link: "a hard link: its other names would be touched too",
  no_roots: "remediation.allowed_roots is empty",
};

/** A path the guard would not let an action use. Nothing was touched. */
export class PathRefusedError extends Error {
  override readonly name = "PathRefusedError";
  readonly englishMessage: string;
  constructor(
    readonly path: string,
    readonly reason: PathRefusalReason,
    readonly detail: string,
  ) {
    super(`ruta rechazada (${reason}): ${quoteForMessage(path)}: ${detail}`);
    this.englishMessage = `path refused (${reason}): ${quoteForMessage(path)}: ${REFUSAL_IN_ENGLISH[reason]}`;
  }
}

/** A path that passed the guard. */
export interface GuardedPath {
  /** The path as given (after template filling). */
  input: string;
  /** Absolute path with every existing component resolved through realpath. */
  absolute: string;
  /** The (realpath'ed) allowed root that contains it. */
  root: string;
  /** Deepest component of `absolute` that exists (resolved); equals `absolute` when the path exists. */
  existingAncestor: string;
  exists: boolean;
  /** `absolute` relative to the base dir when inside it (for messages: `modelos/ana`), else absolute. */
  display: string;
}

export interface PathGuardOptions {
  /** Folders file actions may touch; relative ones resolve against `baseDir`. */
  allowedRoots: readonly string[];
  /** Folder relative paths resolve against (the config file's folder). */
  baseDir: string;
  /**
   * How long an answer of the filesystem (a path's lstat, its realpath) may be reused, in ms; 0 (default) asks every
   * time. Only for a dry run, which changes nothing itself: a catch-up checks the same folders for thousands of
   * incidents, and an answer a moment old says what a real run would have found just as well.
   */
  reuseAnswersMs?: number;
  /** The clock of `reuseAnswersMs`. Default systemClock. */
  clock?: Clock;
}

interface ResolvePathOptions {
  /** For actions that delete or move: refuse a root itself and a final symlink. */
  destructive?: boolean;
  /** Check the whole text, then resolve its parent folder (mkdir `parent: true`: the path names a file). */
  parent?: boolean;
  /** Folder a relative path is relative to (a command's working folder); default the base dir. */
  relativeTo?: string;
}

export interface PathGuard {
  readonly baseDir: string;
  /** Resolves and checks a template-filled path; throws PathRefusedError. */
  resolvePath(rawPath: string, options?: ResolvePathOptions): Promise<GuardedPath>;
  /** The allowed roots as realpaths (roots that do not exist yet resolve like any other path). */
  resolveRoots(): Promise<string[]>;
  /** Checks that an already-resolved absolute path lies inside a root; returns that root. */
  findRoot(absolutePath: string): Promise<string | null>;
  /** Human-readable form of an absolute path: relative to the base dir when inside it. */
  displayPath(absolutePath: string): string;
}

/** Linux limits: PATH_MAX counts the terminating NUL, NAME_MAX is per component, both in bytes. */
const MAX_PATH_BYTES = 4095;
const MAX_NAME_BYTES = 255;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** `%2e` `.`, `%2f` `/`, `%5c` `\`, `%00` NUL: harmless to the kernel, but a sign of an attack and a trap for any decoder downstream. */
const ENCODED_TRAVERSAL = /%(2e|2f|5c|00)/i;

/** Builds a guard over the configured roots. */
export function createPathGuard(options: PathGuardOptions): PathGuard {
  const baseDir = resolve(options.baseDir);
  const rawRoots = options.allowedRoots.map((root) => resolve(baseDir, root));
  const realBaseDir = realpathOrSelf(baseDir);
  const fsView = options.reuseAnswersMs ? reuseAnswers(options.reuseAnswersMs, options.clock ?? systemClock) : DIRECT_FS;

  /** The walk under way, shared by every call that comes while it runs. */
  let resolvingRoots: Promise<string[]> | null = null;

  function resolveRoots(): Promise<string[]> {
    // Resolved on each use: a root may be created (or re-linked) after start. Calls made while a walk is under way
    // (a burst of incidents checking their paths at once) share it instead of each walking the roots again.
    resolvingRoots ??= walkRoots().finally(() => (resolvingRoots = null));
    return resolvingRoots.then((roots) => [...roots]);
  }

  async function walkRoots(): Promise<string[]> {
    const roots: string[] = [];
    for (const root of rawRoots) roots.push((await resolveThroughExisting(fsView, root)).absolute);
    return roots;
  }

  async function findRoot(absolutePath: string): Promise<string | null> {
    const roots = await resolveRoots();
    // The most specific root wins, so nested roots report the one that actually contains the path.
    const containing = roots.filter((root) => isInside(absolutePath, root)).sort((a, b) => b.length - a.length);
    return containing[0] ?? null;
  }

  function displayPath(absolutePath: string): string {
    for (const base of [realBaseDir, baseDir]) {
      if (isInside(absolutePath, base)) return relative(base, absolutePath) || ".";
    }
    return absolutePath;
  }

  async function resolvePath(rawPath: string, resolveOptions: ResolvePathOptions = {}): Promise<GuardedPath> {
    checkPathText(rawPath);
    if (rawRoots.length === 0) throw new PathRefusedError(rawPath, "no_roots", "remediation.allowed_roots está vacío");
    const fullPath = resolve(resolveOptions.relativeTo ?? baseDir, rawPath);
    const candidate = resolveOptions.parent ? dirname(fullPath) : fullPath;
    const destructive = resolveOptions.destructive === true;

    let resolved: ResolvedPath;
    if (destructive) {
      // Resolve the parent, keep the last name as is: the final component itself must not be followed.
      const parent = await resolveThroughExisting(fsView, dirname(candidate), rawPath);
      const absolute = join(parent.absolute, basename(candidate));
      const finalStat = parent.exists ? await fsView.lstatOrNull(absolute) : null;
      if (finalStat?.isSymbolicLink()) {
        throw new PathRefusedError(rawPath, "symlink", "es un enlace simbólico; no se borra a través de enlaces");
      }
      resolved = finalStat
        ? { absolute, existingAncestor: absolute, exists: true }
        : { absolute, existingAncestor: parent.existingAncestor, exists: false };
    } else {
      resolved = await resolveThroughExisting(fsView, candidate, rawPath);
    }

    const root = await findRoot(resolved.absolute);
    if (!root) {
      throw new PathRefusedError(rawPath, "outside_roots", `${resolved.absolute} está fuera de remediation.allowed_roots`);
    }
    if (destructive && resolved.absolute === root) {
      throw new PathRefusedError(rawPath, "is_root", "es una raíz permitida; no se borra");
    }
    return { input: rawPath, root, ...resolved, display: displayPath(resolved.absolute) };
  }

  return { baseDir, resolvePath, resolveRoots, findRoot, displayPath };
}

interface ResolvedPath {
  absolute: string;
  existingAncestor: string;
  exists: boolean;
}

/** Rejects, before any filesystem access, text that no legitimate captured path contains. */
function checkPathText(rawPath: string): void {
  if (typeof rawPath !== "string" || rawPath.trim() === "") throw new PathRefusedError(String(rawPath), "empty", "ruta vacía");
  if (rawPath.includes("\0")) throw new PathRefusedError(rawPath, "nul_byte", "contiene un byte NUL");
  if (CONTROL_CHARS.test(rawPath)) throw new PathRefusedError(rawPath, "control_char", "contiene caracteres de control");
  if (Buffer.byteLength(rawPath) > MAX_PATH_BYTES) {
    throw new PathRefusedError(rawPath, "too_long", `más de ${MAX_PATH_BYTES} bytes`);
  }
  const segments = rawPath.split(/[\\/]/);
  if (segments.includes("..")) throw new PathRefusedError(rawPath, "dot_dot", "contiene un segmento '..'");
  if (ENCODED_TRAVERSAL.test(rawPath)) {
    throw new PathRefusedError(rawPath, "encoded_traversal", "contiene '.', '/' o '\\' codificados (%2e, %2f, %5c, %00)");
  }
  if (segments.some((segment) => Buffer.byteLength(segment) > MAX_NAME_BYTES)) {
    throw new PathRefusedError(rawPath, "too_long", `un componente supera ${MAX_NAME_BYTES} bytes`);
  }
}

/**
 * realpath of the deepest existing ancestor + the missing segments: where the kernel would land if the missing
 * folders were created now. A dangling symlink on the way is refused: creating through it would land wherever it
 * points.
 */
async function resolveThroughExisting(fs: FsView, absolutePath: string, inputForErrors = absolutePath): Promise<ResolvedPath> {
  const missing: string[] = [];
  let current = absolutePath;
  for (;;) {
    const stat = await fs.lstatOrNull(current);
    if (stat) break;
    const parent = dirname(current);
    if (parent === current) break; // "/" always exists; defensive against odd mounts
    missing.unshift(basename(current));
    current = parent;
  }
  let real: string;
  try {
    real = await fs.realpath(current);
  } catch (error) {
    if (isMissing(error)) {
      throw new PathRefusedError(inputForErrors, "symlink", `${current} es un enlace simbólico roto`);
    }
    throw error;
  }
  return missing.length === 0
    ? { absolute: real, existingAncestor: real, exists: true }
    : { absolute: join(real, ...missing), existingAncestor: real, exists: false };
}

/** The two questions the guard asks the filesystem. */
interface FsView {
  lstatOrNull(path: string): Promise<Stats | null>;
  realpath(path: string): Promise<string>;
}

const DIRECT_FS: FsView = { lstatOrNull, realpath: (path) => realpath(path) };

/**
 * The same questions, each answer (or failure) reused for `reuseMs`: every answer is dropped together once the
 * oldest is that old, so what is held is bounded by the paths asked about within `reuseMs`.
 */
function reuseAnswers(reuseMs: number, clock: Clock): FsView {
  const answers = new Map<string, Promise<unknown>>();
  let since = clock.now();
  const ask = <T>(key: string, question: () => Promise<T>): Promise<T> => {
    const at = clock.now();
    if (at - since >= reuseMs) {
      answers.clear();
      since = at;
    }
    let answer = answers.get(key) as Promise<T> | undefined;
    if (!answer) answers.set(key, (answer = question()));
    return answer;
  };
  return {
    lstatOrNull: (path) => ask(`l${path}`, () => lstatOrNull(path)),
    realpath: (path) => ask(`r${path}`, () => realpath(path)),
  };
}

/** lstat that answers null for "not there" (including a file used as a folder), and throws anything else. */
async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** True when `path` is `root` or below it (component-wise, so `/srv/modelos2` is not inside `/srv/modelos`). */
function isInside(path: string, root: string): boolean {
  if (!isAbsolute(path)) return false;
  if (path === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path.startsWith(prefix);
}

/** realpath for display purposes only; the base dir may legitimately not exist yet in tests and demos. */
function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Quotes an untrusted path for a one-line message, cut to a readable length. */
function quoteForMessage(path: string): string {
  const quoted = JSON.stringify(String(path));
  return quoted.length > 160 ? `${quoted.slice(0, 150)}…"(${quoted.length} chars)` : quoted;
}
