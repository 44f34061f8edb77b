/**
 * Items by the time they expire, earliest first (a binary min-heap): what closed incidents need to leave memory the
 * moment their cooldown ends, at O(log n) per incident and O(1) per look, instead of a walk over everything held.
 */
export class ExpiryQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(expiresAtMs: number, item: T): void {
    let i = this.items.length;
    this.times.push(expiresAtMs);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= expiresAtMs) break;
      this.move(parent, i);
      i = parent;
    }
    this.times[i] = expiresAtMs;
    this.items[i] = item;
  }

  /** Removes and returns every item expired at `nowMs` (expiry ≤ now), earliest first. */
  takeExpired(nowMs: number): T[] {
    const out: T[] = [];
    while (this.items.length > 0 && this.times[0]! <= nowMs) out.push(this.pop());
    return out;
  }

  /** Whether an item has expired at `nowMs`, without taking it. */
  hasExpired(nowMs: number): boolean {
    return this.items.length > 0 && this.times[0]! <= nowMs;
  }

  private pop(): T {
    const top = this.items[0]!;
    const lastTime = this.times.pop()!;
    const lastItem = this.items.pop()!;
    const n = this.items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const child = left + 1 < n && this.times[left + 1]! < this.times[left]! ? left + 1 : left;
      if (this.times[child]! >= lastTime) break;
      this.move(child, i);
      i = child;
    }
    this.times[i] = lastTime;
    this.items[i] = lastItem;
    return top;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.items[to] = this.items[from]!;
  }
}
