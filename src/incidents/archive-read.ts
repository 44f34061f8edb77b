import { listArchiveFiles } from "./archive-files.js";
import { parseJournal } from "./load-journal.js";
import { describeFsError } from "../util/describe-error.js";
import { readRegularTextFile } from "../util/open-regular-file.js";

/** An archive that could not be read or is not a journal: a report over a partial history is refused. */
class ArchiveReadError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} is not a readable journal archive: ${detail}`);
    this.name = "ArchiveReadError";
  }
}

/**
 * The archives' elements to add to a live journal's: every archive, or with `fromMs` only the months that can
 * hold an incident detected since then (an incident is archived by the month it closed, never before the month
 * it was detected, in the offset its journal wrote; two days of slack cover any two time zones). An incident found in an archive and in the live file
 * (a move interrupted by a crash, before the next start finished it) counts once: the archive's copy.
 */
export async function mergeJournalArchives(
  journalPath: string,
  live: readonly Record<string, unknown>[],
  options: { fromMs?: number } = {},
): Promise<{ elements: Record<string, unknown>[]; archives: string[] }> {
  const firstMonth = options.fromMs === undefined || !Number.isFinite(options.fromMs) ? null : formatLocalMonth(new Date(options.fromMs - TIME_ZONE_SLACK_MS));
  const files = (await listArchiveFiles(journalPath)).filter((f) => firstMonth === null || f.month >= firstMonth);
  const archived: Record<string, unknown>[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readRegularTextFile(file.path);
    } catch (error) {
      throw new ArchiveReadError(file.path, describeFsError(error));
    }
    const parsed = parseJournal(text);
    if (!parsed.ok) throw new ArchiveReadError(file.path, parsed.problem.message);
    archived.push(...parsed.elements);
  }
  const archivedIds = new Set(archived.map((e) => e.id).filter((id) => typeof id === "string"));
  const liveOnly = live.filter((e) => typeof e.id !== "string" || !archivedIds.has(e.id));
  return { elements: [...archived, ...liveOnly], archives: files.map((f) => f.path) };
}

/** More than the widest gap between two UTC offsets (−12 h and +14 h): the reader's and the journal writer's. */
const TIME_ZONE_SLACK_MS = 2 * 86_400_000;

/** `YYYY-MM` of `date`'s local month. */
function formatLocalMonth(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}
