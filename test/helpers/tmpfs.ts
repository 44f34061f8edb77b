/** A real, small filesystem for tests of a full disk: a tmpfs (root only) and a way to fill it. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { IS_ROOT, NEEDS_ROOT, describeRefusal } from "./environment.js";
import { makeTempDir } from "./temp-dir.js";

/**
 * Mounts a real tmpfs of `size` (and mount options `extraOptions`, e.g. `uid=65534`) at `dir`; returns its unmount.
 * Where that is refused, see `whyNoTmpfs`.
 */
export function mountTmpfs(dir: string, size: string, extraOptions: string[] = []): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", [`size=${size}`, ...extraOptions].join(","), "tmpfs", dir], { stdio: "pipe" });
  return () => execFileSync("umount", ["-l", dir], { stdio: "pipe" });
}

/**
 * Why this machine cannot mount a tmpfs (not root, or root without the right: a container without CAP_SYS_ADMIN),
 * or null where it can. Tried for real on a scratch folder, so a test can be skipped with its reason when it is
 * declared instead of passing without having run.
 */
export function whyNoTmpfs(): string | null {
  probed ??= { whyNot: probeTmpfs() };
  return probed.whyNot;
}

let probed: { whyNot: string | null } | undefined;

function probeTmpfs(): string | null {
  if (!IS_ROOT) return `${NEEDS_ROOT} to mount a tmpfs`;
  const scratch = makeTempDir("vigia-tmpfs-probe-");
  try {
    mountTmpfs(scratch.dir, "64k")();
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${describeRefusal(error, scratch.dir)})`;
  } finally {
    scratch.cleanup();
  }
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
