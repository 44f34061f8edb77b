import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** The path is there but is not a regular file (a FIFO, a device, a socket): reading it could wait forever. */
class NotRegularFileError extends Error {
  readonly code = "ENOTREGULAR";
  constructor(readonly path: string) {
    super(`${path} is not a regular file`);
    this.name = "NotRegularFileError";
  }
}

/**
 * Opens `path` for reading without blocking: a FIFO with no writer would hold a one-shot command (`vigia report`)
 * forever in open() or read(). Throws the fs error (ENOENT, EACCES, EISDIR) or NotRegularFileError.
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new NotRegularFileError(path);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** A regular file's whole text (UTF-8), read without blocking on a FIFO. */
export async function readRegularTextFile(path: string): Promise<string> {
  const handle = await openRegularFile(path);
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close().catch(() => undefined);
  }
}
