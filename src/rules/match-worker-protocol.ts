import type { CompiledRule, LogEvent } from "../types.js";

/**
 * Messages between the main thread and the matching worker. Rules and events cross by structured clone
 * (RegExp and Set included); matches come back as indexes into what was sent, so the main thread keeps
 * its own rule and event objects.
 */
export type ToMatchWorker =
  /** The rules in force from now on; `disabled` holds indexes (into `rules`) never to test. */
  | { type: "rules"; rules: CompiledRule[]; disabled: number[] }
  /**
   * Events to match, in order. `firstSeq` numbers them for the watchdog (event i is `firstSeq + i`).
   * The event at `isolateIndex` is matched rule by rule, with each rule's index published, so that a
   * stall there names its rule; the others take the fast path.
   */
  | { type: "batch"; id: number; firstSeq: number; events: LogEvent[]; isolateIndex: number };

/** One match: the event's index in its batch, the rule's index in the rules sent. */
export interface WorkerMatch {
  eventIndex: number;
  ruleIndex: number;
  fields: Record<string, string>;
  key: string;
}

export type FromMatchWorker = { type: "matched"; id: number; matches: WorkerMatch[] };

/**
 * Slots of the shared progress array the worker writes and the main thread's watchdog reads: which event
 * is being matched, which rule (only while isolating, else -1), and whether an event is under way.
 */
export const PROGRESS_SEQ = 0;
export const PROGRESS_RULE = 1;
export const PROGRESS_BUSY = 2;
export const PROGRESS_SLOTS = 3;
