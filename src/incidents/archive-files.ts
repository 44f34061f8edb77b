import { readdir } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { escapeRegExp } from "../util/template.js";

/** One archive file beside the live journal: the closed incidents of one month (`part` > 1 once a file got big). */
export interface ArchiveFile {
  path: string;
  /** `YYYY-MM`, the local month the incidents closed in. */
  month: string;
  part: number;
}

/** `logs/descarga_errors.json` → `logs/descarga_errors-`, and `.json`: what every archive name starts and ends with. */
function splitJournalName(journalPath: string): { dir: string; stem: string; ext: string } {
  const ext = extname(journalPath);
  return { dir: dirname(journalPath), stem: basename(journalPath, ext), ext };
}

/**
 * `descarga_errors-2025-12.json` for part 1, `descarga_errors-2025-12.2.json` for the next ones: names the glob
 * `descarga_errors*.json` of the operators' jq recipes matches, and that sort by month.
 */
export function formatArchivePath(journalPath: string, month: string, part: number): string {
  const { dir, stem, ext } = splitJournalName(journalPath);
  return join(dir, `${stem}-${month}${part > 1 ? `.${part}` : ""}${ext}`);
}

/** The archives beside a journal, oldest month first; none when the folder is missing. */
export async function listArchiveFiles(journalPath: string): Promise<ArchiveFile[]> {
  const { dir, stem, ext } = splitJournalName(journalPath);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${escapeRegExp(stem)}-(\\d{4}-\\d{2})(?:\\.(\\d+))?${escapeRegExp(ext)}$`);
  const files: ArchiveFile[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m) files.push({ path: join(dir, name), month: m[1]!, part: m[2] ? Number(m[2]) : 1 });
  }
  return files.sort((a, b) => a.month.localeCompare(b.month) || a.part - b.part);
}

/**
 * The local month (`YYYY-MM`) an element closed in, as written in its `resuelto` (the journal's local time with
 * offset), else its detection `timestamp`; null when neither reads as a date.
 */
export function readCloseMonth(element: Record<string, unknown>): string | null {
  for (const field of ["resuelto", "timestamp"]) {
    const value = element[field];
    if (typeof value === "string" && /^\d{4}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value.slice(0, 7);
  }
  return null;
}

