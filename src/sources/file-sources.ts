import { FileTailer, type FileTailerOptions, type TailerEvent, type TailerStats } from "./file-tailer.js";
import { OpenFileBudget } from "./open-file-budget.js";
import { PathWatcher } from "./path-watcher.js";
import { GlobSource, type GlobSourceHost } from "./glob-source.js";
import { compileSourceGlob, isGlobPattern } from "./source-glob.js";

/** One configured file source: one file, or a glob pattern whose every match is followed on its own. */
export interface FileSourceSpec {
  source: string;
  /** A file, or a glob (`logs/*.log`, `logs/**\/*.log`): each matching file, now or later, gets its own tailer. */
  path: string;
  /** Overrides of the shared options for this source. */
  startAt?: "end" | "beginning";
  maxLineBytes?: number;
}

/** Options shared by every tailer of the group. */
export type FileSourcesOptions = Omit<FileTailerOptions, "source" | "path" | "watcher" | "budget"> & {
  /** Files the group's tailers hold open at most (idle ones are closed and reopened on change); unbounded by default. */
  maxOpenFiles?: number;
};

/** Several tailers started and stopped together, sharing one folder watcher. */
export interface FileSources {
  /** The tailers now: one per plain source and one per file matched by a glob source. */
  readonly tailers: readonly FileTailer[];
  /**
   * Starts every tailer; resolves once each has read what is due (a backlog: minutes). `onPositioned` is called
   * before that, once each knows where it reads from (FileTailer.positioned).
   */
  start(onPositioned?: () => void): Promise<void>;
  /** Ends the reads under way after their current chunk; the stop that follows reads no more (FileTailer.interrupt). */
  interrupt(): void;
  /** Stops every tailer (each does its final read, unless interrupted) and the shared watcher. */
  stop(): Promise<void>;
  getStats(): TailerStats[];
}

/**
 * Builds one tailer per plain spec and one per file matching a glob spec, around one shared folder watcher
 * (none when `watch` is false: glob sources then look for new files at every `pollIntervalMs`).
 *
 * A file matched by two sources is followed once, by the first. A file that appears under a glob while running is
 * read from its beginning (unless its checkpoint says otherwise); one whose inode another tailer of the source
 * already follows (renamed into the pattern by a rotation) is not a new file. A matched file that is gone, and
 * whose last lines have been read, is dropped.
 */
export function createFileSources(specs: readonly FileSourceSpec[], options: FileSourcesOptions): FileSources {
  return new FileSourceGroup(specs, options);
}

class FileSourceGroup implements FileSources, GlobSourceHost {
  private readonly list: FileTailer[] = [];
  /** Followed path → its tailer; a path belongs to the first source that claims it. */
  private readonly byPath = new Map<string, FileTailer>();
  private readonly globs: GlobSource[] = [];
  private readonly watcher: PathWatcher | undefined;
  private readonly budget: OpenFileBudget | undefined;
  private phase: "new" | "running" | "stopped" = "new";

  constructor(
    private readonly specs: readonly FileSourceSpec[],
    private readonly options: FileSourcesOptions,
  ) {
    this.watcher =
      options.watch === false
        ? undefined
        : new PathWatcher({ onError: (error) => this.emitEvent({ type: "error", source: "*", path: "*", detail: `watcher: ${error.message}` }) });
    this.budget = options.maxOpenFiles === undefined ? undefined : new OpenFileBudget({ maxOpenFiles: options.maxOpenFiles });
  }

  get tailers(): readonly FileTailer[] {
    return this.list;
  }

  async start(onPositioned?: () => void): Promise<void> {
    this.phase = "running";
    const starting: FileTailer[] = [];
    for (const spec of this.specs) {
      if (!isGlobPattern(spec.path)) {
        const tailer = this.addTailer(spec, spec.path, spec.startAt);
        if (tailer) starting.push(tailer);
        continue;
      }
      const glob = new GlobSource(spec, compileSourceGlob(spec.path), this);
      this.globs.push(glob);
      for (const path of await glob.listInitial()) {
        const tailer = this.addTailer(spec, path, spec.startAt);
        if (tailer) starting.push(tailer);
      }
    }
    const started = Promise.all(starting.map((tailer) => tailer.start()));
    await Promise.race([Promise.all(starting.map((tailer) => tailer.positioned)), started]);
    onPositioned?.();
    await started;
    for (const glob of this.globs) glob.follow(this.watcher, this.options.pollIntervalMs, this.options.clock);
  }

  interrupt(): void {
    for (const tailer of this.list) tailer.interrupt();
  }

  async stop(): Promise<void> {
    this.phase = "stopped";
    for (const glob of this.globs) glob.close();
    await Promise.all(this.list.map((tailer) => tailer.stop()));
    await this.watcher?.close();
  }

  getStats(): TailerStats[] {
    return this.list.map((tailer) => tailer.getStats());
  }

  /** Creates (not starts) the tailer of `path` for `spec`, unless another source already follows it. */
  addTailer(spec: FileSourceSpec, path: string, startAt: "end" | "beginning" | undefined): FileTailer | null {
    const owner = this.byPath.get(path);
    if (owner) {
      if (owner.source !== spec.source) {
        this.emitEvent({ type: "error", source: spec.source, path, detail: `already followed as source '${owner.source}': not followed twice` });
      }
      return null;
    }
    const tailer = new FileTailer({
      ...this.options,
      source: spec.source,
      path,
      startAt: startAt ?? this.options.startAt,
      maxLineBytes: spec.maxLineBytes ?? this.options.maxLineBytes,
      watcher: this.watcher,
      budget: this.budget,
      onEvent: (event) => this.handleTailerEvent(tailer, event),
    });
    this.byPath.set(tailer.path, tailer);
    this.list.push(tailer);
    return tailer;
  }

  /** Starts the tailer of a file that appeared under a glob while running. */
  async startDiscovered(spec: FileSourceSpec, path: string): Promise<void> {
    if (this.phase !== "running") return;
    const tailer = this.addTailer(spec, path, "beginning");
    if (tailer) await tailer.start();
  }

  isFollowed(path: string): boolean {
    return this.byPath.has(path);
  }

  /** Paths followed for `source`. */
  listPaths(source: string): string[] {
    return this.list.filter((tailer) => tailer.source === source).map((tailer) => tailer.path);
  }

  /** Whether a tailer of `source` already reads the file with this inode (renamed into the pattern by a rotation). */
  isInodeFollowed(source: string, fileId: string): boolean {
    return this.list.some((tailer) => tailer.source === source && tailer.knowsFile(fileId));
  }

  private handleTailerEvent(tailer: FileTailer, event: TailerEvent): void {
    this.emitEvent(event);
    if (event.type !== "missing" && event.type !== "closed") return;
    const glob = this.globs.find((g) => g.spec.source === tailer.source && g.glob.matches(tailer.path));
    // After the check in progress: on resume, a checkpointed file is reported gone before the new one is opened.
    if (glob) void tailer.poke().then(() => this.dropIfGone(tailer));
  }

  /** Drops a glob-matched tailer whose file is gone and fully read. */
  private async dropIfGone(tailer: FileTailer): Promise<void> {
    const stats = tailer.getStats();
    if (this.phase !== "running" || stats.exists || stats.drainingFiles > 0) return;
    if (this.byPath.get(tailer.path) !== tailer) return;
    this.byPath.delete(tailer.path);
    this.list.splice(this.list.indexOf(tailer), 1);
    await tailer.stop();
    // Its checkpoint would describe a file that no longer exists, forever (daily-named logs): dropped with it.
    this.options.checkpoints.forget(tailer.path);
    this.emitEvent({ type: "closed", source: tailer.source, path: tailer.path, detail: "no longer matched by a file: not followed any more" });
  }

  private emitEvent(event: TailerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      /* a failing event listener must not stop the sources */
    }
  }
}
