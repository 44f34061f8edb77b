import { readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { parseJournal } from "./load-journal.js";

/**
 * Moving closed incidents out of the live journal touches two files, and no rename makes that one step. So the
 * move is written down first, in a hidden file beside the journal (`.descarga_errors.json.archiving`):
 *
 *   1. the intent: which ids go to which archive files (atomic write);
 *   2. each archive, with the incidents appended (atomic: copy, append, fsync, rename);
 *   3. the live journal without them (atomic);
 *   4. the intent is removed.
 *
 * A kill before 2 completes leaves the incidents only in the live journal (a later write archives them again);
 * after 3, only in the archive. Between 2 and 3 they are in both: the next start reads the intent, looks them up
 * in the archives it names, and drops the live copies found there. The archive wins because it was written
 * first and holds the same final record: only closed incidents nothing tracks any more are archived, so the
 * live copy cannot be newer. No other file is read, so this costs nothing when the last run ended cleanly.
 */
interface ArchiveIntent {
  version: 1;
  files: string[];
  ids: string[];
}

export function getIntentPath(journalPath: string): string {
  return join(dirname(journalPath), `.${basename(journalPath)}.archiving`);
}

export async function writeIntent(journalPath: string, files: readonly string[], ids: readonly string[]): Promise<void> {
  const intent: ArchiveIntent = { version: 1, files: files.map((f) => basename(f)), ids: [...ids] };
  await writeFileAtomic(getIntentPath(journalPath), `${JSON.stringify(intent)}\n`);
}

export async function removeIntent(journalPath: string): Promise<void> {
  await unlink(getIntentPath(journalPath)).catch(() => undefined);
}

/** What a start found of an archiving an earlier run did not finish. */
export interface ArchiveRecovery {
  /** Ids found in an archive and still in the live journal: their live copies are to be dropped. */
  archivedIds: Set<string>;
  /** Archive files the intent named (full paths). */
  files: string[];
}

/**
 * Reads the intent an interrupted archiving left, if any, and which of its ids reached their archive. Null when
 * there is no intent (the last run ended cleanly, or never archived). An unreadable intent or archive counts as
 * "not archived": the live copies are kept, so nothing is lost (at worst an incident would be archived twice).
 */
export async function readInterruptedArchive(journalPath: string): Promise<ArchiveRecovery | null> {
  let raw: string;
  try {
    raw = await readFile(getIntentPath(journalPath), "utf8");
  } catch {
    return null;
  }
  let intent: Partial<ArchiveIntent>;
  try {
    intent = JSON.parse(raw) as Partial<ArchiveIntent>;
  } catch {
    return { archivedIds: new Set(), files: [] };
  }
  const wanted = new Set(Array.isArray(intent.ids) ? intent.ids.filter((id) => typeof id === "string") : []);
  const files = (Array.isArray(intent.files) ? intent.files : [])
    .filter((f): f is string => typeof f === "string" && f === basename(f))
    .map((f) => join(dirname(journalPath), f));
  const archivedIds = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => null);
    if (text === null) continue;
    const parsed = parseJournal(text);
    if (!parsed.ok) continue;
    for (const el of parsed.elements) if (typeof el.id === "string" && wanted.has(el.id)) archivedIds.add(el.id);
  }
  return { archivedIds, files };
}
