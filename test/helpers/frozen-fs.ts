/**
 * A real filesystem whose writes can be made to hang, for tests of a stage that waits on a disk that neither
 * answers nor fails (a hung NFS server, a volume frozen for a snapshot): a small ext4 image mounted through a loop
 * device (root only) and `fsfreeze`. While frozen, every write to it blocks until thawed; reads still answer.
 */
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEEDS_ROOT, describeRefusal, hasCommand } from "./environment.js";
import { makeTempDir } from "./temp-dir.js";

export interface FreezableFs {
  /** Makes every write under the mount block (the writers wait, nothing fails). */
  freeze(): void;
  /** Lets the blocked writes finish. */
  thaw(): void;
  /** Thaws if frozen, unmounts, removes the image. Safe to call twice. */
  remove(): void;
}

/** Mounts a fresh ext4 of `sizeMb` at `dir` (image at `image`). Where that is refused, see `whyNoFreezableFs`. */
export function mountFreezableFs(dir: string, image: string, sizeMb = 8): FreezableFs {
  mkdirSync(dir, { recursive: true });
  try {
    const fd = openSync(image, "w");
    ftruncateSync(fd, sizeMb * 1024 * 1024);
    closeSync(fd);
    execFileSync("mkfs.ext4", ["-q", "-F", image], { stdio: "pipe" });
    execFileSync("mount", ["-o", "loop", image, dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(image, { force: true });
    throw error;
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

/**
 * Why this machine cannot give a test a freezable filesystem (not root, a program missing, mounting a loop device
 * refused), or null where it can. Tried for real on a scratch folder, so a test can be skipped with its reason when
 * it is declared instead of passing without having run.
 */
export function whyNoFreezableFs(): string | null {
  if (!IS_ROOT) return `${NEEDS_ROOT} to mount a loop ext4`;
  const missing = ["mkfs.ext4", "fsfreeze"].filter((program) => !hasCommand(program));
  if (missing.length > 0) return `needs ${missing.join(" and ")} on PATH`;
  const scratch = makeTempDir("vigia-frozen-fs-probe-");
  let fs: FreezableFs | null = null;
  try {
    fs = mountFreezableFs(join(scratch.dir, "mnt"), join(scratch.dir, "image.ext4"));
    fs.freeze();
    return null;
  } catch (error) {
    return `cannot mount and freeze a loop ext4 here (${describeRefusal(error, scratch.dir)})`;
  } finally {
    fs?.remove();
    scratch.cleanup();
  }
}
