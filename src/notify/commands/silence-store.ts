import { readFile, rename } from "node:fs/promises";
import { formatLocalIso } from "../../incidents/format-local-iso.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { systemClock, type Clock } from "../../util/clock.js";

/** The target that silences every alert, whatever its type. */
export const SILENCE_ALL = "todo";

/** One silence as `logs/silencios.json` keeps it (Spanish field names, like the journal). */
export interface Silence {
  /** An error_type, or `todo`. */
  error_type: string;
  /** Local ISO time the silence ends. */
  hasta: string;
  /** Local ISO time it was set. */
  desde: string;
}

export interface SilenceStoreOptions {
  /** `logs/silencios.json`. */
  path: string;
  /** When silences end. Default systemClock. */
  clock?: Clock;
}

/**
 * The admin's silences: alerts of an error type (or all of them) are not sent until a time. Kept in a JSON file
 * rewritten atomically on every change, so a silence survives a restart and a crash never leaves half a file.
 * Silencing only stops messages: incidents are still journaled and remediated.
 */
export class SilenceStore {
  private readonly untilMs = new Map<string, { untilMs: number; sinceMs: number }>();
  private readonly clock: Clock;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SilenceStoreOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get path(): string {
    return this.options.path;
  }

  /**
   * Reads the silences of an earlier run; expired ones are dropped. A missing file is no silence. A malformed one
   * is moved aside (`.corrupt-<time>`, for the admin to read) before the error is thrown, so the next silence
   * written never overwrites it.
   */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.options.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error("expected a JSON array of silences");
    } catch (error) {
      const movedTo = `${this.options.path}.corrupt-${new Date(this.clock.now()).toISOString().replace(/[:.]/g, "-")}`;
      await rename(this.options.path, movedTo);
      throw new Error(`${this.options.path}: ${(error as Error).message}; moved to ${movedTo}, no silence in force`, { cause: error });
    }
    const nowMs = this.clock.now();
    for (const raw of parsed as Array<Partial<Silence>>) {
      const untilMs = Date.parse(raw?.hasta ?? "");
      if (typeof raw?.error_type !== "string" || !Number.isFinite(untilMs) || untilMs <= nowMs) continue;
      this.untilMs.set(raw.error_type, { untilMs, sinceMs: Date.parse(raw.desde ?? "") || nowMs });
    }
  }

  /** Whether an alert of `errorType` is silenced now; null = an alert of no error type (only `todo` silences it). */
  isSilenced(errorType: string | null): boolean {
    const nowMs = this.clock.now();
    const active = (target: string): boolean => (this.untilMs.get(target)?.untilMs ?? 0) > nowMs;
    return active(SILENCE_ALL) || (errorType !== null && active(errorType));
  }

  /** Silences `target` (an error_type or `todo`) for `durationMs` from now, replacing an earlier silence of it. */
  async silence(target: string, durationMs: number): Promise<Silence> {
    const nowMs = this.clock.now();
    this.untilMs.set(target, { untilMs: nowMs + durationMs, sinceMs: nowMs });
    await this.save();
    return toSilence(target, nowMs + durationMs, nowMs);
  }

  /** Lifts the silence of `target`, or every silence when `target` is `todo`; resolves to the targets lifted. */
  async activate(target: string): Promise<string[]> {
    const active = this.list().map((s) => s.error_type);
    const lifted = target === SILENCE_ALL ? active : active.filter((t) => t === target);
    if (target === SILENCE_ALL) this.untilMs.clear();
    else this.untilMs.delete(target);
    await this.save();
    return lifted;
  }

  /** Silences in force, ending soonest first. */
  list(): Silence[] {
    const nowMs = this.clock.now();
    return [...this.untilMs]
      .filter(([, s]) => s.untilMs > nowMs)
      .sort((a, b) => a[1].untilMs - b[1].untilMs)
      .map(([target, s]) => toSilence(target, s.untilMs, s.sinceMs));
  }

  /** Writes the silences in force; writes are serialised, so the file always ends with the latest state. */
  private save(): Promise<void> {
    const text = `${JSON.stringify(this.list(), null, 2)}\n`;
    const write = this.writing.then(() => writeFileAtomic(this.options.path, text));
    this.writing = write.catch(() => undefined);
    return write;
  }
}

function toSilence(target: string, untilMs: number, sinceMs: number): Silence {
  return { error_type: target, hasta: formatLocalIso(untilMs), desde: formatLocalIso(sinceMs) };
}
