import { copyFile, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncDirectory } from "../util/atomic-write.js";

/** An archive that does not end like a JSON array (edited by hand?): it is never appended to, nor replaced. */
class ArchiveFormatError extends Error {
  constructor(readonly path: string) {
    super(`archive ${path} does not end with ']': not appended to`);
    this.name = "ArchiveFormatError";
  }
}

/** Temp files of archive appends: `.<archive name>.<pid>.archive.tmp`, beside the archive. */
const TEMP_SUFFIX = ".archive.tmp";

function getArchiveTempPath(archivePath: string, pid = process.pid): string {
  return join(dirname(archivePath), `.${basename(archivePath)}.${pid}${TEMP_SUFFIX}`);
}

/** Whether a file name is an archive append's temp file, and of which process. */
export function parseArchiveTempName(name: string): { pid: number } | null {
  if (!name.startsWith(".") || !name.endsWith(TEMP_SUFFIX)) return null;
  const pid = Number(name.slice(0, -TEMP_SUFFIX.length).split(".").pop());
  return Number.isInteger(pid) && pid > 0 ? { pid } : null;
}

const PRETTY_SEPARATOR = Buffer.from(",\n");
const COMPACT_SEPARATOR = Buffer.from(",");
const PRETTY_CLOSE = Buffer.from("\n]\n");
const COMPACT_CLOSE = Buffer.from("]\n");

/** How many bytes of an archive's end are read to find its closing `]`. */
const TAIL_BYTES = 64;

/**
 * Appends serialized elements (each as it appears inside a pretty or compact array) to the JSON array at
 * `archivePath`, creating it when missing, so that a reader or a crash sees either the old or the new file:
 * the old archive is copied (by the kernel: memory stays flat however big it is) to a temp file beside it, the
 * temp's closing `]` is replaced by the new elements, the temp is fsynced and renamed over the archive, and the
 * folder is fsynced. Costs one copy of the archive, which the writer keeps small by splitting months into parts.
 * The parts are UTF-8 as the live journal caches them, handed to one writev as they are (not decoded, joined and
 * encoded again).
 */
export async function appendToArchive(archivePath: string, parts: readonly Buffer[], options: { pretty: boolean; modeFrom?: string }): Promise<void> {
  if (parts.length === 0) return;
  const tmp = getArchiveTempPath(archivePath);
  // An empty file (a crash of some other writer, a `touch`) is a new archive.
  const existing = await stat(archivePath).then(
    (st) => st.size > 0,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
  const sep = options.pretty ? PRETTY_SEPARATOR : COMPACT_SEPARATOR;
  try {
    if (existing) await copyFile(archivePath, tmp);
    const fh = await open(tmp, existing ? "r+" : "w", 0o644);
    try {
      if (!existing && options.modeFrom) {
        // A new archive gets the live journal's mode: an operator's chmod of the journal holds for its archives too.
        const mode = await stat(options.modeFrom).then((s) => s.mode & 0o7777, () => null);
        if (mode !== null) await fh.chmod(mode);
      }
      const { at, empty } = existing ? await findArrayEnd(fh, archivePath) : { at: 0, empty: true };
      // What comes before the first element: `[` for a new archive, the separator after an existing last element.
      const head = existing ? (empty ? (options.pretty ? "\n" : "") : options.pretty ? ",\n" : ",") : options.pretty ? "[\n" : "[";
      const chunks: Buffer[] = [Buffer.from(head)];
      for (const [i, part] of parts.entries()) {
        if (i > 0) chunks.push(sep);
        chunks.push(part);
      }
      chunks.push(options.pretty ? PRETTY_CLOSE : COMPACT_CLOSE);
      let length = 0;
      for (const chunk of chunks) length += chunk.length;
      const { bytesWritten } = await fh.writev(chunks, at);
      if (bytesWritten !== length) throw new Error(`archive ${archivePath}: wrote ${bytesWritten} of ${length} bytes`);
      await fh.truncate(at + length);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, archivePath);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(archivePath));
}

/**
 * Where to write in an existing array: at its last element's end (the whitespace before `]`), or just after `[`
 * when it is empty.
 */
async function findArrayEnd(fh: import("node:fs/promises").FileHandle, path: string): Promise<{ at: number; empty: boolean }> {
  const { size } = await fh.stat();
  const start = Math.max(0, size - TAIL_BYTES);
  const buf = Buffer.alloc(size - start);
  await fh.read(buf, 0, buf.length, start);
  const tail = buf.toString("latin1");
  let i = tail.length - 1;
  while (i >= 0 && /\s/.test(tail[i]!)) i--;
  if (tail[i] !== "]") throw new ArchiveFormatError(path);
  i--;
  while (i >= 0 && /\s/.test(tail[i]!)) i--;
  if (i < 0 && start > 0) throw new ArchiveFormatError(path); // 64 bytes of blanks before `]`: not ours
  const empty = tail[i] === "[";
  return { at: start + i + 1, empty };
}
