import { statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
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
}

export interface RulesWatcher {
  /** Resolves once the file watches are in place (changes before it may be missed). */
  ready: Promise<void>;
  /** Reloads now, as a change would. */
  reload(): void;
  close(): Promise<void>;
}

export const DEFAULT_RULES_DEBOUNCE_MS = 100;

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
 * disables rules. Reloads never overlap: a change during a reload schedules one more. The initial load
 * is the caller's (it decides whether the daemon may start with problems).
 */
export function watchRules(options: WatchRulesOptions): RulesWatcher {
  const debounceMs = options.debounceMs ?? DEFAULT_RULES_DEBOUNCE_MS;
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
  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(runReload, debounceMs);
  };
  const runReload = (): void => {
    timer = null;
    if (closed) return;
    // loadRules is synchronous, so reloads cannot overlap; changes seen meanwhile re-arm the timer.
    const result = loadRules(options.from, options.loadOptions);
    if (closed) return;
    if (result.problems.length > 0) options.onProblems(result.problems, result);
    else options.onRules(result);
  };

  const watcher: FSWatcher = watch(watched, { ignoreInitial: true, depth: 0, persistent: true });
  watcher.on("all", (_event, path) => {
    if (isRuleFile(path)) schedule();
  });
  watcher.on("error", (error) => {
    const file = folder ?? [...files][0] ?? "-";
    options.onProblems([{ file, line: 0, field: "-", message: `cannot watch rule files: ${(error as Error).message}` }], null);
  });
  const ready = new Promise<void>((resolveReady) => watcher.once("ready", () => resolveReady()));
  return {
    ready,
    reload: schedule,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
