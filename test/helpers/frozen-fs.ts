/**
 * A real filesystem whose writes can be made to hang, for tests of a stage that waits on a disk that neither
 * answers nor fails (a hung NFS server, a volume frozen for a snapshot): a small ext4 image mounted through a loop
 * device (root only) and `fsfreeze`. While frozen, every write to it blocks until thawed; reads still answer.
 */
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync } from "node:fs";

export interface FreezableFs {
  /** Makes every write under the mount block (the writers wait, nothing fails). */
  freeze(): void;
  /** Lets the blocked writes finish. */
  thaw(): void;
  /** Thaws if frozen, unmounts, removes the image. Safe to call twice. */
  remove(): void;
}

/** Mounts a fresh ext4 of `sizeMb` at `dir` (image at `image`), or returns null where that is not allowed. */
export function mountFreezableFs(dir: string, image: string, sizeMb = 8): FreezableFs | null {
  mkdirSync(dir, { recursive: true });
  try {
    const fd = openSync(image, "w");
    ftruncateSync(fd, sizeMb * 1024 * 1024);
    closeSync(fd);
    execFileSync("mkfs.ext4", ["-q", "-F", image], { stdio: "pipe" });
    execFileSync("mount", ["-o", "loop", image, dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(image, { force: true });
    console.warn(`skipped: cannot mount a loop ext4 here (${(error as Error).message.split("\n")[0]})`);
    return null;
  }
  let frozen = false;
  let mounted = true;
  return {
    freeze() {
      execFileSync("fsfreeze", ["--freeze", dir], { stdio: "pipe" });
      frozen = true;
    },
    thaw() {
      if (!frozen) return;
      execFileSync("fsfreeze", ["--unfreeze", dir], { stdio: "pipe" });
      frozen = false;
    },
    remove() {
      this.thaw();
      if (mounted) execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      mounted = false;
      rmSync(image, { force: true });
    },
  };
}
