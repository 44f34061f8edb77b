/** A real, small filesystem for tests of a full disk: a tmpfs (root only) and a way to fill it. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";

/** Mounts a real tmpfs of `size` at `dir` (root only); returns its unmount, or null where mounting is not allowed. */
export function mountTmpfs(dir: string, size: string): (() => void) | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    console.warn(`skipped: cannot mount a tmpfs here (${(error as Error).message.split("\n")[0]})`);
    return null;
  }
  return () => execFileSync("umount", ["-l", dir], { stdio: "pipe" });
}

/** Writes a filler file until the filesystem refuses with ENOSPC. */
export function fillFilesystem(file: string): void {
  const chunk = Buffer.alloc(4096, 120);
  let size = 0;
  for (;;) {
    try {
      writeFileSync(file, chunk, { flag: "a" });
      size += chunk.length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") return;
      throw error;
    }
    if (size > 64 * 1024 * 1024) throw new Error("the filesystem never filled up");
  }
}
