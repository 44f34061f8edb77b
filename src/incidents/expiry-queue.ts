import { MinHeap } from "../util/min-heap.js";

/**
 * Items by the time they expire, earliest first (a binary min-heap): what closed incidents need to leave memory the
 * moment their cooldown ends, at O(log n) per incident and O(1) per look, instead of a walk over everything held.
 */
export class ExpiryQueue<T> {
  private readonly heap = new MinHeap<T>();

  get size(): number {
    return this.heap.size;
  }

  add(expiresAtMs: number, item: T): void {
    this.heap.add(expiresAtMs, item);
  }

  /** Removes and returns every item expired at `nowMs` (expiry ≤ now), earliest first. */
  takeExpired(nowMs: number): T[] {
    const out: T[] = [];
    while (this.hasExpired(nowMs)) out.push(this.heap.take()!);
    return out;
  }

  /** The earliest expiry held; undefined when empty. */
  peekTime(): number | undefined {
    return this.heap.peekPriority();
  }

  /** Whether an item has expired at `nowMs`, without taking it. */
  hasExpired(nowMs: number): boolean {
    return this.heap.size > 0 && this.heap.peekPriority()! <= nowMs;
  }
}
