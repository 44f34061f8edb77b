import { stat } from "node:fs/promises";
import type { FileSourceSpec } from "./file-sources.js";
import type { PathWatcher } from "./path-watcher.js";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";
import { isRotatedSiblingOfAny, listGlobMatches, type SourceGlob } from "./source-glob.js";

/** What a glob source asks of the group of tailers it adds to. */
export interface GlobSourceHost {
  isFollowed(path: string): boolean;
  /** Paths followed for `source`. */
  listPaths(source: string): string[];
  /** Whether a tailer of `source` already reads the file with this `dev:ino`. */
  isInodeFollowed(source: string, fileId: string): boolean;
  /** Starts a tailer for a file that appeared while running (read from its beginning). */
  startDiscovered(spec: FileSourceSpec, path: string): Promise<void>;
}

/** Finds the files of one glob source: at start, then on the watcher's events in its folders (or a poll). */
export class GlobSource {
  private stopWatching: (() => void) | null = null;
  private timer: TimerHandle | null = null;
  private clock: Clock = systemClock;
  /** Paths being looked at, so one burst of events starts one tailer. */
  private readonly pending = new Set<string>();

  constructor(
    readonly spec: FileSourceSpec,
    readonly glob: SourceGlob,
    private readonly group: GlobSourceHost,
  ) {}

  listInitial(): Promise<string[]> {
    return listGlobMatches(this.glob);
  }

  /** Looks for new files on the watcher's events, or without a watcher every `pollIntervalMs` of `clock`. */
  follow(watcher: PathWatcher | undefined, pollIntervalMs: number | undefined, clock: Clock = systemClock): void {
    this.clock = clock;
    if (watcher) {
      this.stopWatching = watcher.watchTree(this.glob.root, this.glob.maxDepth, (path) => void this.consider(path));
    } else {
      this.timer = clock.setInterval(() => void this.consider(this.glob.root), pollIntervalMs ?? 250);
    }
    // Files created between the first listing and the watch being in place.
    void this.consider(this.glob.root);
  }

  close(): void {
    this.stopWatching?.();
    this.clock.clearInterval(this.timer);
  }

  /** Looks at an entry that changed: a new matching file gets a tailer; a folder (new, or the root) is listed. */
  private async consider(path: string): Promise<void> {
    if (this.pending.has(path)) return;
    this.pending.add(path);
    try {
      const st = await stat(path).catch(() => null);
      if (!st) return;
      if (st.isDirectory()) {
        for (const match of await listGlobMatches(this.glob, path)) await this.adopt(match);
      } else if (this.glob.matches(path)) {
        await this.adopt(path);
      }
    } finally {
      this.pending.delete(path);
    }
  }

  private async adopt(path: string): Promise<void> {
    if (this.group.isFollowed(path)) return;
    if (isRotatedSiblingOfAny(path, this.group.listPaths(this.spec.source))) return;
    const st = await stat(path, { bigint: true }).catch(() => null);
    if (!st || !st.isFile()) return; // stat follows a symlink: a link to a regular file is one
    if (this.group.isInodeFollowed(this.spec.source, `${st.dev}:${st.ino}`)) return;
    await this.group.startDiscovered(this.spec, path);
  }
}
