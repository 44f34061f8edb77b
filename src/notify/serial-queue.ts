/** One unit of work for a `SerialQueue`. */
export interface QueueItem {
  /** Items with the same key and `coalesce: true` replace each other while waiting (latest text wins). */
  key: string;
  coalesce: boolean;
  /** Critical items are dropped last when the queue overflows. */
  critical: boolean;
}

export interface SerialQueueOptions<T extends QueueItem> {
  /** Most items waiting at once; beyond it the oldest non-critical item is dropped. */
  limit: number;
  /** Delivers one item; must not throw (a rejection is swallowed so the queue keeps moving). */
  process: (item: T, signal: AbortSignal) => Promise<void>;
  /** Told about every item dropped for lack of room, so it is counted and logged, never lost silently. */
  onDrop: (item: T, reason: "overflow" | "shutdown") => void;
}

/**
 * A bounded FIFO worked by one async loop: `push` is synchronous and O(1) (the pipeline never waits for
 * Telegram), items are delivered one at a time and in order, so alerts arrive in the order they were decided.
 */
export class SerialQueue<T extends QueueItem> {
  private items: T[] = [];
  private readonly waitingByKey = new Map<string, T>();
  private running = false;
  private controller = new AbortController();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SerialQueueOptions<T>) {}

  /** Items waiting (not counting the one being delivered). */
  get length(): number {
    return this.items.length;
  }

  /** Enqueues an item (or refreshes the waiting one with the same key) and starts the worker if idle. */
  push(item: T): void {
    const waiting = item.coalesce ? this.waitingByKey.get(item.key) : undefined;
    if (waiting) {
      const merged = { ...item, critical: item.critical || waiting.critical };
      this.items[this.items.indexOf(waiting)] = merged;
      this.waitingByKey.set(item.key, merged);
    } else if (this.makeRoomFor(item)) {
      this.items.push(item);
      if (item.coalesce) this.waitingByKey.set(item.key, item);
    }
    if (!this.running) {
      this.running = true;
      // Start on a later turn: the first delivery's synchronous part (building the request) must not run inside
      // the caller's push(), which sits on the pipeline's hot path.
      setImmediate(() => void this.work());
    }
  }

  /** True when an item with this key is waiting (not yet being delivered). */
  isWaiting(key: string): boolean {
    return this.waitingByKey.has(key);
  }

  /** Resolves once nothing is waiting and nothing is being delivered. */
  idle(): Promise<void> {
    if (!this.running && this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts the delivery in flight and drops everything still waiting (reported through `onDrop`). */
  abort(): void {
    this.controller.abort();
    const left = this.items;
    this.items = [];
    this.waitingByKey.clear();
    for (const item of left) this.options.onDrop(item, "shutdown");
    this.controller = new AbortController();
  }

  /** Drops one item if full; returns false when the new item itself is the one to drop. */
  private makeRoomFor(item: T): boolean {
    if (this.items.length < this.options.limit) return true;
    let victim = this.items.findIndex((i) => !i.critical);
    if (victim < 0) {
      if (!item.critical) {
        this.options.onDrop(item, "overflow");
        return false;
      }
      victim = 0;
    }
    const [dropped] = this.items.splice(victim, 1);
    if (dropped!.coalesce && this.waitingByKey.get(dropped!.key) === dropped) this.waitingByKey.delete(dropped!.key);
    this.options.onDrop(dropped!, "overflow");
    return true;
  }

  private async work(): Promise<void> {
    try {
      for (let item = this.items.shift(); item; item = this.items.shift()) {
        if (this.waitingByKey.get(item.key) === item) this.waitingByKey.delete(item.key);
        try {
          await this.options.process(item, this.controller.signal);
        } catch {
          // process() reports its own failures; the queue must keep moving
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
