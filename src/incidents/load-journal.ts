import { existsSync } from "node:fs";
import { readFile, rename } from "node:fs/promises";
import { formatCompactLocal } from "./format-local-iso.js";
import { systemClock, type Clock } from "../util/clock.js";

/** The journal file exists but cannot be read at all (permissions, a folder in its place): never moved, never replaced. */
export class JournalReadError extends Error {
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`cannot read journal ${path}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "JournalReadError";
  }
}

/** Why a journal's content was not usable. */
export interface JournalProblem {
  kind: "invalid_json" | "not_array" | "element_not_object";
  message: string;
}

/** What loading found. */
export interface LoadedJournal {
  /** The journal's elements as stored (vigia incidents, and possibly records of the seed system). */
  elements: Record<string, unknown>[];
  /** Set when the file was unusable: why, and where it was moved. */
  problem: JournalProblem | null;
  movedAsideTo: string | null;
}

export interface LoadJournalOptions {
  /** Move an unusable journal aside (vigia run). False for read-only users such as `vigia report`. Default true. */
  moveCorruptAside?: boolean;
  /** The time in the moved file's name. Default systemClock. */
  clock?: Clock;
}

/** Checks a journal's text: a JSON array of objects. Empty or blank text is an empty journal. */
export function parseJournal(text: string): { ok: true; elements: Record<string, unknown>[] } | { ok: false; problem: JournalProblem } {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trim() === "") return { ok: true, elements: [] };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, problem: { kind: "invalid_json", message: (error as Error).message } };
  }
  if (!Array.isArray(value)) {
    return { ok: false, problem: { kind: "not_array", message: `expected a JSON array, got ${describeJson(value)}` } };
  }
  for (let i = 0; i < value.length; i++) {
    const el: unknown = value[i];
    if (el === null || typeof el !== "object" || Array.isArray(el)) {
      return {
        ok: false,
        problem: { kind: "element_not_object", message: `element ${i}: expected an object, got ${describeJson(el)}` },
      };
    }
  }
  return { ok: true, elements: value as Record<string, unknown>[] };
}

/**
 * Loads the journal at `path`. A missing file is an empty journal. An unusable one is renamed, untouched, to
 * `<path>.corrupt-<YYYYMMDD-HHMMSS>` (a free name is found if that exists) so the operator can rescue it and
 * vigia starts a fresh journal instead of overwriting it.
 */
export async function loadJournal(path: string, options: LoadJournalOptions = {}): Promise<LoadedJournal> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { elements: [], problem: null, movedAsideTo: null };
    throw new JournalReadError(path, error);
  }
  const parsed = parseJournal(text);
  if (parsed.ok) return { elements: parsed.elements, problem: null, movedAsideTo: null };
  if (options.moveCorruptAside === false) return { elements: [], problem: parsed.problem, movedAsideTo: null };
  const target = findFreeName(`${path}.corrupt-${formatCompactLocal((options.clock ?? systemClock).now())}`);
  await rename(path, target);
  return { elements: [], problem: parsed.problem, movedAsideTo: target };
}

/** `base`, or `base-1`, `base-2`… when taken: an earlier corrupt journal is never replaced. */
function findFreeName(base: string): string {
  if (!existsSync(base)) return base;
  for (let n = 1; ; n++) if (!existsSync(`${base}-${n}`)) return `${base}-${n}`;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
