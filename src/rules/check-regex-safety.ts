import { createRequire } from "node:module";
import { DEFAULT_VERDICT_CACHE_FILE, readVerdicts, storeVerdict } from "./regex-verdict-cache.js";
import { hasBackreference, splitTopLevelAlternatives, widenNestedBounds } from "./split-regex-source.js";

/** What the ReDoS checker concluded about one regex. */
export type RegexSafety =
  | { status: "safe" }
  | {
      status: "vulnerable";
      /** recheck's summary: `exponential`, `2nd degree polynomial`… */
      complexity: string;
      /** An input that triggers it, as recheck writes it (`'a'.repeat(31) + '\x00'`). */
      attack: string;
      /** The top-level alternative at fault, when the regex has several. */
      alternative: string | null;
      /** Found once nested bounded repetition was widened (`{1,9}` → `{1,}`): the bounds only cap the blow-up. */
      nestedBounds?: boolean;
    }
  /** The checker gave up (time budget, unsupported syntax): the regex is accepted, the reason kept for logs. */
  | { status: "unknown"; reason: string };

/** Default time budget of one recheck call; a verdict usually takes 5–1500 ms and is then cached. */
export const DEFAULT_REDOS_TIMEOUT_MS = 4000;

/** The budget of the commands that judge a regex once, for good (`vigia check`, `vigia suggest-rules`). */
export const OFFLINE_REDOS_TIMEOUT_MS = 30_000;

export interface RegexSafetyOptions {
  /** Time budget of one recheck call; past it the verdict is `unknown` and the regex accepted. */
  timeoutMs?: number;
  /** On-disk verdict cache; null keeps verdicts in memory only. Default: DEFAULT_VERDICT_CACHE_FILE. */
  cacheFile?: string | null;
}

/**
 * Verdicts by `flags/source` for this process: a rule folder is reloaded on every edit, and rechecking
 * unchanged regexes would make each reload cost seconds. Undecided (timed out) checks are remembered too,
 * for this process only, so that a slow regex costs its budget once per process and not at every reload.
 */
const verdicts = new Map<string, RegexSafety>();

/**
 * recheck (a few MB of code) is loaded on the first regex no cached verdict covers: the daemon's main thread, which
 * compiles rules but checks none, never loads it.
 */
let recheck: typeof import("recheck") | null = null;
function loadRecheck(): typeof import("recheck") {
  return (recheck ??= createRequire(import.meta.url)("recheck") as typeof import("recheck"));
}

/**
 * Asks recheck (a maintained ReDoS checker: automaton analysis, fuzzing as fallback) whether `source` can
 * backtrack catastrophically. Both exponential and polynomial verdicts count as vulnerable: a quadratic
 * regex over a 64 KiB line is already billions of steps.
 *
 * Nested bounded repetition (`(?:(?:a?){9}){9}`) is linear to recheck, which reasons about growing input,
 * yet multiplies into billions of steps on a short line: such a regex is judged with its nested bounds
 * widened (see widenNestedBounds), and refused when the widened form backtracks exponentially.
 *
 * Every alternative of every regex is checked, whatever its shape. Time budget: recheck costs up to seconds
 * per regex, growing with the pattern's size, so each top-level alternative is checked on its own (a search
 * for `a|b` costs what `a` costs plus what `b` costs, so the whole is linear exactly when every alternative
 * is), and every verdict is cached. Blocks the caller: the daemon calls it from a worker thread.
 */
export function checkRegexSafety(source: string, flags: string, options: RegexSafetyOptions = {}): RegexSafety {
  const alternatives = hasBackreference(source) ? [source] : splitTopLevelAlternatives(source);
  let unknown: RegexSafety | null = null;
  for (const alternative of alternatives) {
    const verdict = checkAlternative(alternative, flags, options);
    if (verdict.status === "vulnerable") {
      return alternatives.length > 1 ? { ...verdict, alternative } : verdict;
    }
    if (verdict.status === "unknown") unknown ??= verdict;
  }
  return unknown ?? { status: "safe" };
}

/** The alternative as written, then, if it nests bounded repetition, widened. */
function checkAlternative(alternative: string, flags: string, options: RegexSafetyOptions): RegexSafety {
  const verdict = checkWithRecheck(alternative, flags, options);
  if (verdict.status === "vulnerable") return verdict;
  const widened = widenNestedBounds(alternative);
  if (widened === alternative) return verdict;
  // Only an exponential verdict carries over: a polynomial one comes from the widened runs themselves
  // (`(\d{1,3}\.){3}` → `(\d+\.)+`, quadratic over a run of digits), which the bounds do cap.
  const widenedVerdict = checkWithRecheck(widened, flags, options);
  if (widenedVerdict.status === "vulnerable" && widenedVerdict.complexity.startsWith("exponential")) {
    return { ...widenedVerdict, nestedBounds: true };
  }
  return widenedVerdict.status === "unknown" ? widenedVerdict : verdict;
}

function checkWithRecheck(source: string, flags: string, options: RegexSafetyOptions): RegexSafety {
  const cacheKey = `${flags}/${source}`;
  const cacheFile = options.cacheFile === undefined ? DEFAULT_VERDICT_CACHE_FILE : options.cacheFile;
  const cached = verdicts.get(cacheKey) ?? (cacheFile !== null ? readVerdicts(cacheFile).get(cacheKey) : undefined);
  if (cached) return cached.status === "vulnerable" ? { ...cached, alternative: null } : cached;
  let verdict: RegexSafety;
  try {
    const d = loadRecheck().checkSync(source, flags, { timeout: options.timeoutMs ?? DEFAULT_REDOS_TIMEOUT_MS });
    if (d.status === "safe") verdict = { status: "safe" };
    else if (d.status === "vulnerable") {
      verdict = { status: "vulnerable", complexity: d.complexity.summary, attack: shorten(d.attack.pattern), alternative: null };
    } else {
      const e = d.error;
      verdict = { status: "unknown", reason: "message" in e ? `${e.kind}: ${e.message}` : e.kind };
    }
  } catch (error) {
    verdict = { status: "unknown", reason: (error as Error).message };
  }
  verdicts.set(cacheKey, verdict);
  // An undecided check depends on machine load: it is retried by the next process, never stored.
  if (cacheFile !== null && verdict.status !== "unknown") {
    storeVerdict(cacheFile, cacheKey, verdict.status === "safe" ? verdict : { status: "vulnerable", complexity: verdict.complexity, attack: verdict.attack });
  }
  return verdict;
}

/** Keeps messages to one short line. */
function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
