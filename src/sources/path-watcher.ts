import { existsSync, lstatSync, readdirSync, realpathSync, statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { listSiblingBaseNames } from "./rotated-siblings.js";

/** Called when something happened at or on the way to a watched path; the tailer then looks for itself. */
export type WakeUp = () => void;

/** Called with the full path of an entry that changed, appeared or disappeared inside a watched tree. */
export type OnTreeEntry = (path: string) => void;

interface Tree {
  root: string;
  /** Folder levels below the root whose entries are reported: 0 = the root's own entries; Infinity for `**`. */
  maxDepth: number;
  onEntry: OnTreeEntry;
}

/**
 * Wakes tailers when their file changes, and glob sources when a folder they cover gains an entry.
 *
 * Folders only are watched, one inotify watch each (node's fs.watch): an append, a rename or a delete of any file
 * inside shows up as an event of its folder, named after the file, and is routed to the tailer of that path (or of
 * the file it is a rotated sibling of: late writes to `bot.log.1`). Files are never watched one by one, so 1 000
 * files in one folder cost one watch, and an event costs no listing of its folder: vigia's own journal and
 * monitor.log, written beside the logs it follows, cost a look-up of their names and nothing else (chokidar,
 * which the rules folder's watcher uses, lists a folder again after each burst of its events). When a file's
 * folder does not exist yet, the nearest existing ancestor is watched instead, moving deeper as folders appear.
 * Events can still be lost (inotify overflow, network filesystems, writes through a symlink to another folder):
 * the tailers keep a slower stat poll and fall back to a fast one for a file whose changes the watcher missed.
 */
export class PathWatcher {
  /** One fs.watch per watched folder, with the folder's inode when its watch was set (-2 once it went). */
  private readonly watches = new Map<string, { handle: FSWatcher; inode: number }>();
  /** Watched files by folder, then by base name. */
  private readonly targets = new Map<string, Map<string, Set<WakeUp>>>();
  private readonly trees = new Set<Tree>();
  /** For each folder of a target or tree root: the folder watched for it (itself once it exists). */
  private readonly anchorOf = new Map<string, string>();
  private readonly anchors = new Set<string>();
  /** For a target that is a symlink: the file it points to now, and back (writes show up under the real name). */
  private readonly realPathOf = new Map<string, string>();
  private readonly targetsOfRealPath = new Map<string, Set<string>>();
  private closed = false;
  private readonly onError: (error: Error) => void;

  constructor(options: { onError?(error: Error): void } = {}) {
    this.onError = options.onError ?? (() => undefined);
  }

  /** Calls `wakeUp` on changes to `path` (absolute or relative to the cwd) or its rotated siblings; returns the function that stops it. */
  watch(path: string, wakeUp: WakeUp): () => void {
    const target = resolve(path);
    const folder = dirname(target);
    const name = basename(target);
    let byName = this.targets.get(folder);
    if (!byName) this.targets.set(folder, (byName = new Map()));
    let callbacks = byName.get(name);
    if (!callbacks) byName.set(name, (callbacks = new Set()));
    callbacks.add(wakeUp);
    this.anchorFolder(folder);
    this.resolveSymlink(target);
    return () => {
      callbacks.delete(wakeUp);
      if (callbacks.size > 0) return;
      byName.delete(name);
      if (byName.size === 0) this.targets.delete(folder);
    };
  }

  /**
   * Calls `onEntry` with the full path of every entry that appears, changes or goes in `root` and its sub-folders
   * down to `maxDepth` levels (a new sub-folder is reported too, so its content can be listed).
   */
  watchTree(root: string, maxDepth: number, onEntry: OnTreeEntry): () => void {
    const tree: Tree = { root: resolve(root), maxDepth, onEntry };
    this.trees.add(tree);
    const watchedBefore = this.watches.has(tree.root);
    this.anchorFolder(tree.root);
    // Watched already for a file source in the same folder: its sub-folders are news to it.
    if (watchedBefore) this.watchSubFolders(tree.root);
    return () => void this.trees.delete(tree);
  }

  /** Re-resolves the folders watched for missing ones; tailers call it while their file or folder is missing. */
  refresh(): void {
    if (this.closed) return;
    for (const [folder, anchor] of this.anchorOf) {
      if (anchor !== folder) this.anchorFolder(folder);
    }
  }

  /** Stops watching; pending wake-ups are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.targets.clear();
    this.trees.clear();
    for (const { handle } of this.watches.values()) handle.close();
    this.watches.clear();
  }

  /** Watches `folder`, or its nearest existing ancestor while it is missing. */
  private anchorFolder(folder: string): void {
    if (this.closed) return;
    const anchor = findNearestFolder(folder);
    if (!anchor) return;
    this.anchorOf.set(folder, anchor);
    if (this.anchors.has(anchor)) return;
    this.anchors.add(anchor);
    this.watchFolder(anchor);
    // A folder on the way created between the look-up and the watch raised no event here: look again.
    if (anchor !== folder && findNearestFolder(folder) !== anchor) this.anchorFolder(folder);
  }

  /**
   * Watches the folder of `path` again when it was replaced (moved away, a new one created in its place): the old
   * watch followed the moved folder. Tailers call it when they find a change the watcher did not announce.
   */
  rewatchIfReplaced(path: string): void {
    if (this.closed) return;
    const folder = dirname(resolve(path));
    const anchor = this.anchorOf.get(folder);
    if (anchor === undefined || readInode(anchor) === this.watches.get(anchor)?.inode) return;
    this.unwatchFolder(anchor);
    this.anchors.delete(anchor);
    this.anchorFolder(folder);
  }

  /**
   * One inotify watch on `folder` (node's fs.watch): each event names the entry that changed and nothing is read.
   * A tree's folder has its sub-folders within the tree's depth watched too.
   */
  private watchFolder(folder: string): void {
    if (this.closed || this.watches.has(folder)) return;
    let handle: FSWatcher;
    try {
      handle = watch(folder, (event, name) => this.handleRawEvent(folder, event, name));
    } catch (error) {
      this.reportError(error);
      return;
    }
    handle.on("error", (error) => this.reportError(error));
    this.watches.set(folder, { handle, inode: readInode(folder) });
    this.watchSubFolders(folder);
  }

  private unwatchFolder(folder: string): void {
    this.watches.get(folder)?.handle.close();
    this.watches.delete(folder);
  }

  /** Watches the sub-folders of `folder` that a tree reports entries of (once, when `folder` is first watched). */
  private watchSubFolders(folder: string): void {
    if (![...this.trees].some((tree) => isTreeFolder(tree, folder))) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      // Symlinked folders are not followed, as the glob listing does not follow them (no loops).
      const path = join(folder, entry.name);
      if (entry.isDirectory() && this.isTreeFolder(path)) this.watchFolder(path);
    }
  }

  /** A missing, errant or forbidden folder is not an error: the tailers' stat polls cover it. */
  private reportError(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EPERM" || code === "EACCES") return;
    this.onError(error instanceof Error ? error : new Error(String(error)));
  }

  private isTreeFolder(path: string): boolean {
    for (const tree of this.trees) {
      if (isTreeFolder(tree, path)) return true;
    }
    return false;
  }

  /** An event of a watched folder, naming one of its entries (or, with no name, the folder itself). */
  private handleRawEvent(folder: string, event: string, name: string | Buffer | null): void {
    if (this.closed) return;
    let full = typeof name === "string" && name !== "" ? join(folder, name) : folder;
    // The folder itself deleted or moved away is a rename named after the folder: its watch is over, even if a
    // new folder takes its place with the same inode (a change found by a stat then asks for a new watch).
    if (event === "rename" && name === basename(folder) && !existsSync(full)) {
      const watched = this.watches.get(folder);
      if (watched) watched.inode = -2;
      full = folder;
    }
    if (event === "rename" && full !== folder) {
      // A rename onto a target's name may be a symlink swap: where it points is looked up again.
      if (this.realPathOf.has(full)) this.resolveSymlink(full);
      this.handleFolderRename(full);
    }
    this.handleEntryEvent(full);
  }

  /**
   * An entry appeared or went: a folder on the way to a missing target's folder is watched (the nearest existing
   * one); a tree's sub-folder is watched, or no longer when it went or was replaced.
   */
  private handleFolderRename(path: string): void {
    for (const [folder, anchor] of this.anchorOf) {
      if (anchor !== folder && (folder === path || folder.startsWith(path + sep))) {
        this.refresh();
        break;
      }
    }
    if (this.anchors.has(path) || !this.isTreeFolder(path)) return;
    // Created, deleted, moved in or out: a watch set before followed the folder that went (its inode may be reused
    // at once by a folder created in its place).
    if (this.watches.has(path)) {
      for (const folder of [...this.watches.keys()]) {
        if ((folder === path || folder.startsWith(path + sep)) && !this.anchors.has(folder)) this.unwatchFolder(folder);
      }
    }
    if (isFolder(path)) this.watchFolder(path);
  }

  /**
   * Follows a target that is a symlink to the file it points to: that file's folder is watched too, and its
   * events wake the target's tailers (appends through a link into another folder are not events of the link's).
   */
  private resolveSymlink(target: string): void {
    let real: string | null = null;
    try {
      real = realpathSync(target);
    } catch {
      /* missing: nothing to follow (yet) */
    }
    const previous = this.realPathOf.get(target);
    if (previous !== undefined && previous === (real ?? target)) return;
    if (previous) this.targetsOfRealPath.get(previous)?.delete(target);
    // Stays known while it points nowhere or to itself: the next rename onto it is looked at again.
    this.realPathOf.set(target, real ?? target);
    if (!real || real === target) return;
    let targets = this.targetsOfRealPath.get(real);
    if (!targets) this.targetsOfRealPath.set(real, (targets = new Set()));
    targets.add(target);
    this.anchorFolder(dirname(real));
  }

  private wakeTarget(target: string): void {
    const callbacks = this.targets.get(dirname(target))?.get(basename(target));
    if (callbacks) for (const wakeUp of callbacks) wakeUp();
  }

  /** Routes an event on `path` to its tailers (or those of the file it is a rotated sibling of) and trees. */
  private handleEntryEvent(path: string): void {
    if (this.closed) return;
    for (const target of this.targetsOfRealPath.get(path) ?? []) this.wakeTarget(target);
    const folder = dirname(path);
    const byName = this.targets.get(folder);
    if (byName) {
      for (const name of listSiblingBaseNames(basename(path))) {
        const callbacks = byName.get(name);
        if (callbacks) for (const wakeUp of callbacks) wakeUp();
      }
    }
    // An event on a folder on the way to targets (created, moved, deleted): every target below may have changed.
    for (const [targetFolder, names] of this.targets) {
      if (targetFolder === path || targetFolder.startsWith(path + sep)) {
        for (const callbacks of names.values()) for (const wakeUp of callbacks) wakeUp();
      }
    }
    for (const tree of this.trees) {
      if (isTreeEntry(tree, path) || path === tree.root) tree.onEntry(path);
    }
  }
}

/** How many folder levels below the tree's root `path` is (0: an entry of the root itself); -1 outside the tree or the root. */
function getEntryDepth(tree: Tree, path: string): number {
  const rel = relative(tree.root, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return -1;
  return rel.split(sep).length - 1;
}

/** Whether an event on `path` concerns `tree`: one of its entries within its depth. */
function isTreeEntry(tree: Tree, path: string): boolean {
  const depth = getEntryDepth(tree, path);
  return depth >= 0 && depth <= tree.maxDepth;
}

/** Whether `path` is a folder of `tree` whose entries it reports. */
function isTreeFolder(tree: Tree, path: string): boolean {
  if (path === tree.root) return true;
  const depth = getEntryDepth(tree, path);
  return depth >= 0 && depth < tree.maxDepth;
}

/** Whether `path` is a folder itself (a symlink to one is not followed). */
function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The inode of `path`, or -1 when it cannot be stat'ed. */
function readInode(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

/** The folder itself if it exists, else its nearest existing ancestor. */
function findNearestFolder(folder: string): string | null {
  let current = folder;
  for (;;) {
    try {
      if (statSync(current).isDirectory()) return current;
    } catch {
      /* missing or unreadable: try the parent */
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}
