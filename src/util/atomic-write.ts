import { open, rename, unlink, mkdir, stat, type FileHandle } from "node:fs/promises";
import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync, unlinkSync, statSync, fchmodSync, fchownSync, type Stats } from "node:fs";
import { dirname, basename, join } from "node:path";

let counter = 0;

/**
 * A temp name in the target's own folder, so the final rename never crosses filesystems:
 * `.<name>.<pid>.<n>.tmp`, which the journal's start removes once its process is gone.
 */
function getTempPath(path: string): string {
  counter = (counter + 1) % 1_000_000;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** Mode of a new file: what an operator's `cat` and jq need, nothing more. */
const NEW_FILE_MODE = 0o644;

/**
 * Mode and owner the replacement must keep. The rename puts a new inode in place, so without this an
 * operator's `chmod 444` or `chown bot` on the journal would silently come back as root's 0644.
 */
export type KeptAttributes = { mode: number; uid: number; gid: number } | null;

function toKeptAttributes(st: Stats): KeptAttributes {
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** Whether this process may give a file to `uid:gid` (root may; others only keep their own). */
function needsChown(kept: NonNullable<KeptAttributes>): boolean {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid !== undefined && (kept.uid !== uid || kept.gid !== gid);
}

/**
 * Replaces `path` with `data` (or the byte chunks of `data`, in order) so that a reader (or a crash) sees either the
 * old or the new content, never a mix:
 * write a temp file in the same folder, fsync it, rename it over the target, fsync the folder. The new file
 * keeps the old one's mode and owner.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const tmp = await openTempBeside(path);
  try {
    if (typeof data === "string" || data instanceof Uint8Array) await tmp.handle.writeFile(data);
    else await writeChunks(tmp.handle, data);
    await tmp.handle.sync();
  } catch (error) {
    await discardTemp(tmp);
    throw error;
  }
  await tmp.handle.close();
  try {
    await rename(tmp.path, path);
  } catch (error) {
    await unlink(tmp.path).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** A temp file beside its target, open for writing. */
export interface TempFile {
  path: string;
  handle: FileHandle;
  /** The mode and owner it was given (the target's then, or null for a new file). */
  kept: KeptAttributes;
}

/** Opens a new temp file beside `path` (making the folder when missing) with the mode and owner of the file there. */
export async function openTempBeside(path: string): Promise<TempFile> {
  const kept = await readKeptAttributes(path);
  const tmpPath = getTempPath(path);
  // The folder is made only when missing: each step is a round trip through a busy event loop.
  const handle = await open(tmpPath, "w", NEW_FILE_MODE).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true });
    return open(tmpPath, "w", NEW_FILE_MODE);
  });
  const tmp = { path: tmpPath, handle, kept };
  try {
    await applyKeptAttributes(handle, kept);
  } catch (error) {
    await discardTemp(tmp);
    throw error;
  }
  return tmp;
}

/** Closes and removes a temp file that will not be used. */
export async function discardTemp(tmp: { path: string; handle: FileHandle }): Promise<void> {
  await tmp.handle.close().catch(() => undefined);
  await unlink(tmp.path).catch(() => undefined);
}

/** Mode and owner of the file at `path`, null when there is none. */
export function readKeptAttributes(path: string): Promise<KeptAttributes> {
  return stat(path).then(toKeptAttributes, () => null);
}

/** Gives a new file the mode and owner of the one it replaces. */
export async function applyKeptAttributes(fh: FileHandle, kept: KeptAttributes): Promise<void> {
  if (!kept) return;
  await fh.chmod(kept.mode);
  // Only root may give a file away; anyone else writes it as their own rather than not at all.
  if (needsChown(kept)) await fh.chown(kept.uid, kept.gid).catch(() => undefined);
}

/**
 * Chunks one after the other at the file's position, as they are (a large file written from the parts it is made of,
 * never joined into one buffer first), in one writev: libuv splits it into IOV_MAX-sized system calls on its own
 * thread, so the whole file costs one round trip of the event loop, not one per thousand chunks.
 */
export async function writeChunks(fh: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let expected = 0;
  for (const chunk of chunks) expected += chunk.byteLength;
  const { bytesWritten } = await fh.writev(chunks);
  // A short write (a nearly full disk): the rest goes through writeFile, which loops until done or fails.
  if (bytesWritten < expected) await fh.writeFile(Buffer.concat(chunks).subarray(bytesWritten));
}

/** Synchronous twin of writeFileAtomic, for the last write during shutdown. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  let kept: KeptAttributes = null;
  try {
    kept = toKeptAttributes(statSync(path));
  } catch { /* a new file */ }
  const tmp = getTempPath(path);
  const fd = openSync(tmp, "w", NEW_FILE_MODE);
  try {
    if (kept) {
      fchmodSync(fd, kept.mode);
      if (needsChown(kept)) {
        try { fchownSync(fd, kept.uid, kept.gid); } catch { /* see writeFileAtomic */ }
      }
    }
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* some filesystems refuse fsync on a folder; the rename itself is atomic */ }
}

/** fsync a folder so a rename in it survives a power cut; ignored where the filesystem refuses. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try { await fh.sync(); } finally { await fh.close(); }
  } catch { /* see writeFileAtomicSync */ }
}
