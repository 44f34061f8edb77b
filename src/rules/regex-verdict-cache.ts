import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "../util/atomic-write.js";

/** A definite ReDoS verdict, as stored. */
export type StoredVerdict = { status: "safe" } | { status: "vulnerable"; complexity: string; attack: string };

interface VerdictFile {
  version: 1;
  /** recheck's version: another version may judge differently, so its verdicts are not reused. */
  checker: string;
  verdicts: Record<string, StoredVerdict>;
}

/**
 * Default place of the on-disk cache: `node_modules/.cache/vigia/` of the installation, the usual home of
 * tools' caches (babel, eslint). Only the installation's owner can write there, which matters: a forged
 * "safe" verdict would let a catastrophic regex in.
 */
export const DEFAULT_VERDICT_CACHE_FILE = fileURLToPath(
  new URL("../../node_modules/.cache/vigia/redos-verdicts.json", import.meta.url),
);

const checkerVersion = readCheckerVersion();
const loadedFiles = new Map<string, Map<string, StoredVerdict>>();

function readCheckerVersion(): string {
  try {
    return (createRequire(import.meta.url)("recheck/package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * Verdicts of earlier runs, so the seconds recheck spends on a regex are spent once per installation and
 * not at every start, every `vigia check` and every test file. A missing, unreadable or foreign file is an
 * empty cache.
 */
export function readVerdicts(file: string): Map<string, StoredVerdict> {
  let cached = loadedFiles.get(file);
  if (cached) return cached;
  cached = new Map();
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Partial<VerdictFile>;
    if (data.version === 1 && data.checker === checkerVersion && data.verdicts && typeof data.verdicts === "object") {
      for (const [k, v] of Object.entries(data.verdicts)) if (isStoredVerdict(v)) cached.set(k, v);
    }
  } catch {
    // no cache yet
  }
  loadedFiles.set(file, cached);
  return cached;
}

/** Verdicts kept on disk at most: the newest stay (rules edited over months leave verdicts no rule uses any more). */
const MAX_STORED_VERDICTS = 20_000;

/** Verdicts stored since the last write, by file: written together once the current task ends. */
const unwritten = new Map<string, Map<string, StoredVerdict>>();
let writeScheduled = false;

/**
 * Adds a verdict; the file is rewritten once the current task ends, with every verdict stored meanwhile (a rule
 * file of 2 000 new regexes is one write, not 2 000 rewrites of a growing file with two fsyncs each), and at the
 * latest when the process or thread exits.
 */
export function storeVerdict(file: string, key: string, verdict: StoredVerdict): void {
  readVerdicts(file).set(key, verdict);
  let mine = unwritten.get(file);
  if (!mine) unwritten.set(file, (mine = new Map()));
  mine.set(key, verdict);
  if (writeScheduled) return;
  writeScheduled = true;
  setImmediate(writeUnwrittenVerdicts);
  process.once("exit", writeUnwrittenVerdicts);
}

/**
 * Rewrites each file atomically, merged with what another process (a parallel test worker) may have written
 * meanwhile, the newest verdicts last. A failed write only costs a recheck next time.
 */
function writeUnwrittenVerdicts(): void {
  writeScheduled = false;
  process.removeListener("exit", writeUnwrittenVerdicts);
  for (const [file, mine] of unwritten) {
    try {
      loadedFiles.delete(file);
      const merged = readVerdicts(file);
      for (const [k, v] of mine) {
        merged.delete(k);
        merged.set(k, v);
      }
      const entries = [...merged].slice(-MAX_STORED_VERDICTS);
      const data: VerdictFile = { version: 1, checker: checkerVersion, verdicts: Object.fromEntries(entries) };
      writeFileAtomicSync(file, `${JSON.stringify(data, null, 1)}\n`);
    } catch {
      const known = loadedFiles.get(file) ?? new Map<string, StoredVerdict>();
      for (const [k, v] of mine) known.set(k, v);
      loadedFiles.set(file, known);
    }
  }
  unwritten.clear();
}

function isStoredVerdict(v: unknown): v is StoredVerdict {
  const s = (v as { status?: unknown } | null)?.status;
  if (s === "safe") return true;
  return s === "vulnerable" && typeof (v as { complexity?: unknown }).complexity === "string";
}
