/**
 * Every check run kept on disk, so uptime and latency over a day or a week survive a restart: one append-only
 * JSON Lines file per UTC day under `state_dir/checks/` (`2026-12-07.jsonl`), files older than the retention
 * deleted at start and at each new day. Chosen over an embedded database by measurement (docs/dashboard.md):
 * at one line per check per 30 s the writes are trivial, a crash costs at most the line being written (a torn
 * last line is skipped on load), and `jq` reads the files.
 */
import { appendFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CheckResult } from "../types.js";
import { systemClock, type Clock } from "../util/clock.js";

/** One check run, as stored (one JSON object per line). */
export interface CheckRecord {
  /** Epoch ms of the run. */
  at_ms: number;
  /** Check id: `http:backend`, `disk:/srv`, `bot_api`. */
  check: string;
  kind: CheckResult["kind"];
  /** What was probed: the URL, path or process name. */
  target: string;
  ok: boolean;
  latency_ms: number;
  /** Why it failed, or its note when ok, as the admin reads it (Spanish): the dashboard and `vigia report` show it. */
  reason: string;
}

export interface CheckHistoryOptions {
  /** Folder of the daily files; created on the first write. */
  dir: string;
  /** Days of files kept (today included). */
  retentionDays: number;
  /** Today, for the retention. Default systemClock. */
  clock?: Clock;
  /** A file could not be read, written or deleted; the history goes on in memory. */
  onError?: (error: unknown) => void;
}

const DAY_MS = 86_400_000;
const FILE_NAME = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export class CheckHistory {
  private records: CheckRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private prunedDay = "";
  private readonly clock: Clock;

  private constructor(private readonly options: CheckHistoryOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Loads the files within retention (oldest first) and deletes older ones. */
  static async open(options: CheckHistoryOptions): Promise<CheckHistory> {
    const history = new CheckHistory(options);
    await history.load();
    return history;
  }

  /** Keeps one run: in memory at once, on disk in the order recorded. */
  record(result: CheckResult): void {
    const record = toCheckRecord(result);
    this.records.push(record);
    const day = toDayName(record.at_ms);
    if (day !== this.prunedDay) this.prune();
    const line = `${JSON.stringify(record)}\n`;
    this.writing = this.writing
      .then(() => mkdir(this.options.dir, { recursive: true }))
      .then(() => appendFile(join(this.options.dir, `${day}.jsonl`), line))
      .catch((error: unknown) => this.options.onError?.(error));
  }

  /** Runs with `fromMs <= at_ms <= toMs`, oldest first. */
  list(fromMs: number, toMs = Infinity): CheckRecord[] {
    return this.records.filter((r) => r.at_ms >= fromMs && r.at_ms <= toMs);
  }

  /** Resolves once every recorded run is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private async load(): Promise<void> {
    const days = await this.listDayFiles();
    const oldest = this.oldestKeptDay();
    const loaded: CheckRecord[] = [];
    for (const day of days) {
      if (day < oldest) continue;
      try {
        const path = join(this.options.dir, `${day}.jsonl`);
        const text = await readFile(path, "utf8");
        loaded.push(...parseCheckLines(text));
        // A line torn by a crash would swallow the next record appended to it: end it first.
        if (text.length > 0 && !text.endsWith("\n")) await appendFile(path, "\n");
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    this.records = loaded.sort((a, b) => a.at_ms - b.at_ms);
    this.prune();
  }

  /** Drops what fell out of retention, in memory and on disk. */
  private prune(): void {
    const oldest = this.oldestKeptDay();
    this.prunedDay = toDayName(this.clock.now());
    const firstKept = this.records.findIndex((r) => toDayName(r.at_ms) >= oldest);
    this.records = firstKept < 0 ? [] : this.records.slice(firstKept);
    this.writing = this.writing
      .then(() => this.listDayFiles())
      .then((days) => Promise.all(days.filter((d) => d < oldest).map((d) => rm(join(this.options.dir, `${d}.jsonl`), { force: true }))))
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error));
  }

  private oldestKeptDay(): string {
    return toDayName(this.clock.now() - (Math.max(1, this.options.retentionDays) - 1) * DAY_MS);
  }

  private async listDayFiles(): Promise<string[]> {
    try {
      return (await readdir(this.options.dir)).flatMap((name) => FILE_NAME.exec(name)?.[1] ?? []).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.options.onError?.(error);
      return [];
    }
  }
}

/** Reads the history files of `dir` without a running vigia and without deleting anything (`vigia report`). */
export async function readCheckHistory(dir: string, fromMs: number): Promise<CheckRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const fromDay = toDayName(fromMs);
  const out: CheckRecord[] = [];
  for (const name of names.sort()) {
    const day = FILE_NAME.exec(name)?.[1];
    if (day && day >= fromDay) out.push(...parseCheckLines(await readFile(join(dir, name), "utf8")).filter((r) => r.at_ms >= fromMs));
  }
  return out.sort((a, b) => a.at_ms - b.at_ms);
}

/** The records in a file's text; a torn or foreign line is skipped. */
function parseCheckLines(text: string): CheckRecord[] {
  const out: CheckRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as CheckRecord;
      if (typeof r.at_ms === "number" && typeof r.check === "string" && typeof r.ok === "boolean") out.push(r);
    } catch {
      // The last line of a file being appended when vigia was killed.
    }
  }
  return out;
}

/** A check result as it is stored. */
function toCheckRecord(result: CheckResult): CheckRecord {
  const f = result.fields;
  return {
    at_ms: result.atMs,
    check: result.check,
    kind: result.kind,
    target: f["url"] ?? f["path"] ?? f["proceso"] ?? f["process"] ?? f["source"] ?? result.check.replace(/^[^:]*:/, ""),
    ok: result.ok,
    latency_ms: Math.round(result.durationMs * 10) / 10,
    reason: result.motivo,
  };
}

function toDayName(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
