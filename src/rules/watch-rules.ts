import { statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Problem } from "../util/problems.js";
import { loadRules, RULE_FILE_EXTENSIONS, type LoadRulesOptions, type LoadRulesResult } from "./load-rules.js";

export interface WatchRulesOptions {
  /** What `loadRules` loads: a rule folder, or a list of rule files. */
  from: string | readonly string[];
  /** Quiet time after the last change before reloading: editors write a file in several steps. */
  debounceMs?: number;
  /** A reload without any problem: the new rules replace the old ones. */
  onRules: (result: LoadRulesResult) => void;
  /** A reload with problems (or a watch error, result null): report them, keep the rules in force. */
  onProblems: (problems: Problem[], result: LoadRulesResult | null) => void;
  loadOptions?: LoadRulesOptions;
  /** How a reload loads; default `loadRules` on this thread. The daemon passes a worker thread's. */
  load?: (from: string | readonly string[], options: LoadRulesOptions) => LoadRulesResult | Promise<LoadRulesResult>;
  /** How often a vanished rule folder is looked for again (ms). */
  reappearPollMs?: number;
}

export interface RulesWatcher {
  /** Resolves once the file watches are in place (changes before it may be missed). */
  ready: Promise<void>;
  /** Reloads now, as a change would. */
  reload(): void;
  close(): Promise<void>;
}

const DEFAULT_RULES_DEBOUNCE_MS = 100;
const DEFAULT_RULES_REAPPEAR_POLL_MS = 500;

/** A rule path names a folder when it is one, or, while missing, when it has no rule-file extension. */
function isFolderPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return !(RULE_FILE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
  }
}

/**
 * Hot reload of rule files. Watches the rule folder (top level, .yaml/.yml/.json) or the folders of the
 * listed files — folders rather than files, because editors save by writing a new file and renaming it
 * over the old one. After a change and `debounceMs` of quiet, it reloads everything; all-or-nothing:
 * a load with any problem goes to `onProblems` and changes nothing, so a half-typed edit never
 * disables rules. Reloads never overlap: a change during a reload schedules one more. A watched folder
 * that vanishes (moved away, replaced by a deploy) is looked for every `reappearPollMs` and watched again
 * when it is back, with a reload. The initial load is the caller's (it decides whether the daemon may
 * start with problems).
 */
export function watchRules(options: WatchRulesOptions): RulesWatcher {
  const debounceMs = options.debounceMs ?? DEFAULT_RULES_DEBOUNCE_MS;
  const reappearPollMs = options.reappearPollMs ?? DEFAULT_RULES_REAPPEAR_POLL_MS;
  const load = options.load ?? loadRules;
  const from = options.from;
  const folder = typeof from === "string" && isFolderPath(from) ? resolve(from) : null;
  const files = new Set(folder ? [] : (typeof from === "string" ? [from] : from).map((f) => resolve(f)));
  const watched = folder ? [folder] : [...new Set([...files].map((f) => dirname(f)))];

  const isRuleFile = (path: string): boolean => {
    const abs = resolve(path);
    if (folder) return dirname(abs) === folder && (RULE_FILE_EXTENSIONS as readonly string[]).includes(extname(abs).toLowerCase());
    return files.has(abs);
  };

  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let loading = false;
  let again = false;
  const schedule = (): void => {
    if (closed) return;
    if (loading) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void runReload(), debounceMs);
  };
  const runReload = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    loading = true;
    let result: LoadRulesResult | null = null;
    let failure: string | null = null;
    try {
      result = await load(options.from, options.loadOptions ?? {});
    } catch (error) {
      failure = (error as Error).message;
    }
    loading = false;
    if (closed) return;
    if (failure !== null) {
      options.onProblems([{ file: folder ?? [...files][0] ?? "-", line: 0, field: "-", message: `cannot load rule files: ${failure}` }], null);
    } else if (result!.problems.length > 0) {
      options.onProblems(result!.problems, result);
    } else {
      options.onRules(result!);
    }
    if (again) {
      again = false;
      schedule();
    }
  };

  const reportWatchError = (error: unknown): void => {
    const file = folder ?? [...files][0] ?? "-";
    options.onProblems([{ file, line: 0, field: "-", message: `cannot watch rule files: ${(error as Error).message}` }], null);
  };

  let watcher: FSWatcher | null = null;
  let reappearTimer: NodeJS.Timeout | null = null;
  const startWatcher = (): Promise<void> => {
    // Not persistent: a watcher of a folder that vanished keeps an fs.watch handle chokidar does not close,
    // and the rules watcher must never be what keeps a stopping process alive.
    const w = watch(watched, { ignoreInitial: true, depth: 0, persistent: false });
    watcher = w;
    w.on("all", (event, path) => {
      if (w !== watcher) return;
      if (event === "unlinkDir" && watched.includes(resolve(path))) {
        schedule();
        waitForReturn(w);
      } else if (isRuleFile(path)) {
        schedule();
      }
    });
    // Non-persistent, chokidar stops emitting `change` for a file saved by rename while saves keep coming (a storm
    // of 300 saves gave one event); its raw fs.watch events keep flowing, naming the entry that changed (from the
    // folder's watch) or the file itself (from the file's).
    w.on("raw", (_event, entry, details) => {
      const watchedPath = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (w !== watcher || !watchedPath) return;
      const inFolder = typeof entry === "string" && entry !== "" ? join(watchedPath, entry) : watchedPath;
      if (isRuleFile(inFolder) || isRuleFile(watchedPath)) schedule();
    });
    w.on("error", reportWatchError);
    return new Promise<void>((resolveReady) => w.once("ready", () => resolveReady()));
  };
  // A watcher keeps nothing of a folder once it is gone: poll until every watched folder is back, then
  // watch afresh and reload what is there now.
  const waitForReturn = (gone: FSWatcher): void => {
    if (reappearTimer || closed) return;
    watcher = null;
    void gone.close();
    reappearTimer = setInterval(() => {
      if (closed || !watched.every(isExistingFolder)) return;
      clearInterval(reappearTimer!);
      reappearTimer = null;
      void startWatcher().then(schedule);
    }, reappearPollMs);
    reappearTimer.unref();
  };

  const ready = startWatcher();
  return {
    ready,
    reload: schedule,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (reappearTimer) clearInterval(reappearTimer);
      await watcher?.close();
    },
  };
}

function isExistingFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
