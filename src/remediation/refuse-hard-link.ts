import type { Stats } from "node:fs";
import { PathRefusedError } from "./path-guard.js";

/**
 * A regular file with more than one name may have its other names anywhere on the filesystem: `ln /etc/shadow
 * modelos/v.mp4` (where the kernel allows it) makes a file from outside the roots look like one inside them, and
 * no path check can tell. Changing it (chown, delete, move) would act on that outside file too, so file actions
 * refuse it. Folders cannot be hard-linked; their link count only counts subfolders.
 */
export function refuseHardLink(stats: Stats, input: string): void {
  if (!stats.isFile() || stats.nlink <= 1) return;
  throw new PathRefusedError(
    input,
    "hard_link",
    `es un enlace duro (${stats.nlink} nombres): otro nombre del mismo archivo puede estar fuera de las raíces; no se toca`,
  );
}

/** True for a regular file with more than one name (for walks, which skip it instead of refusing everything). */
export function isHardLinkedFile(stats: Stats): boolean {
  return stats.isFile() && stats.nlink > 1;
}
