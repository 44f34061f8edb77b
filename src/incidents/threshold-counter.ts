/**
 * fail2ban's maxretry/findtime: per key, the times of the most recent matches, so "N matches within W ms" is
 * answered without keeping more than N timestamps a key.
 */
export class ThresholdCounter {
  private readonly hits = new Map<string, { timesMs: number[]; withinMs: number }>();

  /** Records a match of `key` at `nowMs` and returns how many fall within the window, this one included. */
  record(key: string, nowMs: number, withinMs: number, count: number): number {
    let entry = this.hits.get(key);
    if (!entry) {
      entry = { timesMs: [], withinMs };
      this.hits.set(key, entry);
    }
    entry.withinMs = withinMs;
    const times = entry.timesMs;
    times.push(nowMs);
    while (times.length > 0 && times[0]! <= nowMs - withinMs) times.shift();
    if (times.length > count) times.splice(0, times.length - count);
    return times.length;
  }

  /** Matches of `key` still inside their window at `nowMs`. */
  getCount(key: string, nowMs: number): number {
    const entry = this.hits.get(key);
    if (!entry) return 0;
    let n = 0;
    for (const t of entry.timesMs) if (t > nowMs - entry.withinMs) n++;
    return n;
  }

  /** Forgets a key (its incident opened). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Drops keys whose matches have all left their window, so one-off keys do not accumulate. */
  sweep(nowMs: number): void {
    for (const [key, entry] of this.hits) {
      const newest = entry.timesMs[entry.timesMs.length - 1];
      if (newest === undefined || newest <= nowMs - entry.withinMs) this.hits.delete(key);
    }
  }

  /** Keys currently counted. */
  get size(): number {
    return this.hits.size;
  }
}
