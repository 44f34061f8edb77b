import type { CompiledRule } from "../types.js";

/**
 * Messages between the main thread and the matching worker. Rules cross by structured clone (RegExp and Set
 * included). Events cross packed (see PackedEvents): a million small objects cost the main thread more to clone
 * than the worker spends matching them. Matches come back as indexes into what was sent, so the main thread keeps
 * its own rule and event objects.
 */
export type ToMatchWorker =
  /**
   * The rules in force from now on; `disabled` holds indexes (into `rules`) never to test. `forward`: patterns of
   * the unmatched events the main thread still wants (null: all of them).
   */
  | { type: "rules"; rules: CompiledRule[]; disabled: number[]; forward: RegExp[] | null }
  /**
   * Events to match, in order. `firstSeq` numbers them for the watchdog (event i is `firstSeq + i`).
   * The event at `isolateIndex` is matched rule by rule, with each rule's index published, so that a
   * stall there names its rule; the others take the fast path. `watch`: changes to what the lines that may close
   * a held incident name (see ResolverWatch), applied before the batch; `answered`: the last batch whose answer
   * the main thread has taken in (its incidents are in the main thread's own watch list from then on).
   */
  | { type: "batch"; id: number; firstSeq: number; events: PackedEvents; isolateIndex: number; watch: ResolverWatch[] | null; answered: number };

/**
 * A rule's held incidents now include (`watched`) or no longer include one whose closing lines name `key` (a whole
 * token, or ANY_LINE: any line past the rule's gate; see resolverWatchKey). Sent when the first incident with that
 * key is taken in and when the last leaves memory.
 */
export type ResolverWatch = [ruleId: string, key: string, watched: boolean];

/** A batch's texts end to end in one string, with each event's length and source (an index into `sources`). */
export interface PackedEvents {
  text: string;
  lengths: Int32Array;
  sources: string[];
  sourceOf: Uint16Array;
}

/** One match: the event's index in its batch, the rule's index in the rules sent. */
export interface WorkerMatch {
  eventIndex: number;
  ruleIndex: number;
  fields: Record<string, string>;
  key: string;
}

/**
 * The batch's matches, and `forwarded`: indexes of the unmatched events the main thread still needs (an event a
 * `resolve_on` of some rule may match, one a `forward` pattern matches, the batch's last event), in order; null
 * when every event is wanted. `masked`: the masked text of each event handed back (matched or forwarded) whose
 * text masking changed, by index; null when none.
 */
export type FromMatchWorker = {
  type: "matched";
  id: number;
  matches: WorkerMatch[];
  forwarded: Int32Array | null;
  masked: Array<[eventIndex: number, text: string]> | null;
};

/** What the worker is started with: the watchdog's shared progress, and the secrets to mask (null: no masking). */
export interface MatchWorkerData {
  progress: SharedArrayBuffer;
  maskSecrets: string[] | null;
}

/**
 * Slots of the shared progress array the worker writes and the main thread's watchdog reads: which event
 * is being matched, which rule (only while isolating, else -1), and whether an event is under way.
 */
export const PROGRESS_SEQ = 0;
export const PROGRESS_RULE = 1;
export const PROGRESS_BUSY = 2;
export const PROGRESS_SLOTS = 3;
