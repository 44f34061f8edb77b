import { stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { dirname } from "node:path";
import type { Credentials } from "./owner.js";

/**
 * "Could this user write here?" answered from owner and mode bits, the way the kernel decides for an unprivileged
 * process. vigia usually runs as root, for whom access(2) always says yes, so asking the kernel would prove
 * nothing about the bot. POSIX ACLs and read-only mounts are not considered.
 */
export interface AccessVerdict {
  ok: boolean;
  /** When not ok: which folder or file stops the user, and why (the journal's Spanish). */
  reason: string | null;
  /** `reason` in English, for vigia's own log. */
  message: string | null;
}

const READ = 4;
const WRITE = 2;
const SEARCH = 1;

/**
 * Checks that `credentials` can write `absolutePath` (an existing file or folder), or create it (a missing path:
 * its deepest existing ancestor must be a folder the user can write and search), with search permission on every
 * folder above.
 */
export async function checkWritableAs(credentials: Credentials, absolutePath: string, existingAncestor: string): Promise<AccessVerdict> {
  if (credentials.uid === 0) return { ok: true, reason: null, message: null };
  const target = absolutePath;
  const exists = existingAncestor === absolutePath;
  const checked = exists ? target : existingAncestor;
  const targetStat = await stat(checked);
  if (!exists && !targetStat.isDirectory()) return { ok: false, reason: `${checked} no es una carpeta`, message: `${checked} is not a folder` };
  const wanted = targetStat.isDirectory() ? WRITE | SEARCH : WRITE;
  if (!hasPermission(targetStat, credentials, wanted)) return describeDenial(checked, targetStat, credentials, wanted);
  for (let folder = dirname(checked); ; folder = dirname(folder)) {
    const folderStat = await stat(folder);
    if (!hasPermission(folderStat, credentials, SEARCH)) {
      return describeDenial(folder, folderStat, credentials, SEARCH);
    }
    if (dirname(folder) === folder) break;
  }
  return { ok: true, reason: null, message: null };
}

/** The kernel's order: owner bits if the user owns it, else group bits if in the group, else the rest. */
export function hasPermission(stats: Pick<Stats, "uid" | "gid" | "mode">, credentials: Credentials, wanted: number): boolean {
  if (credentials.uid === 0) return true;
  let bits: number;
  if (stats.uid === credentials.uid) bits = (stats.mode >> 6) & 7;
  else if (credentials.groups.includes(stats.gid)) bits = (stats.mode >> 3) & 7;
  else bits = stats.mode & 7;
  return (bits & wanted) === wanted;
}

/** The refusal in both voices: which file, its owner and mode, and the permission the user lacks. */
function describeDenial(path: string, stats: Stats, credentials: Credentials, wanted: number): AccessVerdict {
  const mode = (stats.mode & 0o7777).toString(8).padStart(4, "0");
  const name = (words: [string, string, string]) =>
    [wanted & READ ? words[0] : "", wanted & WRITE ? words[1] : "", wanted & SEARCH ? words[2] : ""].filter(Boolean).join("+");
  const user = `${credentials.uid}:${credentials.gid}`;
  return {
    ok: false,
    reason: `${path}: dueño ${stats.uid}:${stats.gid} modo ${mode}, sin ${name(["lectura", "escritura", "acceso"])} para ${user}`,
    message: `${path}: owner ${stats.uid}:${stats.gid} mode ${mode}, no ${name(["read", "write", "search"])} permission for ${user}`,
  };
}
