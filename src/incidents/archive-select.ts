import type { Estado } from "../types.js";
import { readCloseMonth } from "./archive-files.js";
import { isTerminal } from "./incident-state.js";

/** When the live journal hands closed incidents to the archives. */
export interface ArchivePolicy {
  /** A closed incident stays live this long after it closed (ms). */
  keepMs: number;
  /** Past this size (bytes, about) the oldest closed incidents go early, down to half of it; null = no bound. */
  maxBytes: number | null;
}

export interface ArchiveCandidates {
  elements: readonly unknown[];
  /** Serialized length of each element, as written in the live file. */
  lengths: readonly number[];
  /** Length of the whole live file. */
  totalLength: number;
  nowMs: number;
  /** True for incidents the manager still tracks (open, or closed within their cooldown): they must stay live. */
  isHeld: (id: string) => boolean;
}

/**
 * Indexes of the elements to move, in journal order: every closed incident that closed more than `keepMs` ago,
 * then, while the file would stay over `maxBytes`, the oldest other closed ones until it is at half of it (so
 * size-driven moves come in batches, not one per write). Only vigia's closed incidents with an id move, and
 * only those nothing tracks any more: a record the manager may still change must not have a copy in an archive.
 */
export function selectArchivable(input: ArchiveCandidates, policy: ArchivePolicy): number[] {
  const { elements, lengths, nowMs } = input;
  const eligible = (el: unknown): el is Record<string, unknown> => {
    if (el === null || typeof el !== "object") return false;
    const r = el as Record<string, unknown>;
    return typeof r.id === "string" && isFinalState(r.estado) && readCloseMonth(r) !== null && !input.isHeld(r.id);
  };
  const picked: number[] = [];
  const taken = new Set<number>();
  let remaining = input.totalLength;
  const cutoffMs = nowMs - policy.keepMs;
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i];
    if (!eligible(el) || readCloseMs(el) >= cutoffMs) continue;
    picked.push(i);
    taken.add(i);
    remaining -= lengths[i]! + 2;
  }
  if (policy.maxBytes !== null && remaining > policy.maxBytes) {
    const lowWater = policy.maxBytes / 2;
    for (let i = 0; i < elements.length && remaining > lowWater; i++) {
      if (taken.has(i) || !eligible(elements[i])) continue;
      picked.push(i);
      remaining -= lengths[i]! + 2;
    }
    picked.sort((a, b) => a - b);
  }
  return picked;
}

function isFinalState(estado: unknown): boolean {
  return typeof estado === "string" && isTerminal(estado as Estado);
}

/** When an element closed: `resuelto`, else its last occurrence, else its detection. */
function readCloseMs(el: Record<string, unknown>): number {
  for (const field of ["resuelto", "ultima_ocurrencia", "timestamp"]) {
    const ms = typeof el[field] === "string" ? Date.parse(el[field]) : NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  return Infinity;
}
