/** Items by a number, smallest first (a binary min-heap): O(log n) to add or take, O(1) to look at the first. */
export class MinHeap<T> {
  private readonly priorities: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(priority: number, item: T): void {
    let i = this.items.length;
    this.priorities.push(priority);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.priorities[parent]! <= priority) break;
      this.move(parent, i);
      i = parent;
    }
    this.priorities[i] = priority;
    this.items[i] = item;
  }

  /** The smallest priority held, undefined when empty. */
  peekPriority(): number | undefined {
    return this.priorities[0];
  }

  /** Removes and returns the item of the smallest priority (of equal ones, any), undefined when empty. */
  take(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    const lastPriority = this.priorities.pop()!;
    const lastItem = this.items.pop()!;
    const n = this.items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const child = left + 1 < n && this.priorities[left + 1]! < this.priorities[left]! ? left + 1 : left;
      if (this.priorities[child]! >= lastPriority) break;
      this.move(child, i);
      i = child;
    }
    this.priorities[i] = lastPriority;
    this.items[i] = lastItem;
    return top;
  }

  private move(from: number, to: number): void {
    this.priorities[to] = this.priorities[from]!;
    this.items[to] = this.items[from]!;
  }
}
