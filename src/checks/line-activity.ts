/**
 * When each source last wrote a line. The engine calls `noteLine` for every line it reads; `silence` checks read
 * it and wake up at once when a silent source speaks again. Kept to a map write per line: it sits on the hot path.
 */

export interface LineActivity {
  /** Records that `source` produced a line at `atMs`. */
  noteLine(source: string, atMs: number): void;
  /** Time of the source's last line, or null when it has written nothing since vigia started. */
  lastLineAtMs(source: string): number | null;
  /** Calls `listener` on each line of `source`; returns an unsubscribe function. */
  subscribe(source: string, listener: (atMs: number) => void): () => void;
}

/** Creates an empty activity record. */
export function createLineActivity(): LineActivity {
  const lastMs = new Map<string, number>();
  const listeners = new Map<string, Set<(atMs: number) => void>>();
  return {
    noteLine(source, atMs) {
      lastMs.set(source, atMs);
      const set = listeners.get(source);
      if (set) for (const listener of set) listener(atMs);
    },
    lastLineAtMs: (source) => lastMs.get(source) ?? null,
    subscribe(source, listener) {
      let set = listeners.get(source);
      if (!set) listeners.set(source, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
