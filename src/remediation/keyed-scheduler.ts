import { MinHeap } from "../util/min-heap.js";

/**
 * Runs tasks with two limits: at most `concurrency` at once, and never two at once for the same key (one
 * incident's attempts must not overlap). Tasks wait in arrival order; a task whose key is busy lets later tasks
 * of other keys go first. `schedule` returns at once with the task's promise: callers never block.
 */
export interface KeyedScheduler {
  schedule<T>(key: string, task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly queued: number;
  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void>;
}

interface QueuedTask {
  /** Its number in arrival order. */
  arrival: number;
  start: () => void;
  /** The next task of the same key, in arrival order. */
  next: QueuedTask | null;
}

/** Creates a scheduler; `concurrency` ≥ 1. */
export function createKeyedScheduler(concurrency: number): KeyedScheduler {
  const limit = Math.max(1, Math.floor(concurrency));
  /** The tasks waiting, by key, oldest first (a key is here while it has any). */
  const waiting = new Map<string, { head: QueuedTask; tail: QueuedTask }>();
  /**
   * The keys free to start, each by the arrival of its oldest waiting task: the next task to start is the first
   * key's oldest. A key is here once while it is not busy and has tasks waiting, so a start costs O(log keys),
   * whatever the number of tasks waiting, behind busy keys or not.
   */
  const ready = new MinHeap<string>();
  const busyKeys = new Set<string>();
  let arrivals = 0;
  let queued = 0;
  let running = 0;
  let idleWaiters: Array<() => void> = [];

  function pump(): void {
    while (running < limit && ready.size > 0) {
      const key = ready.take()!;
      const keyTasks = waiting.get(key)!;
      const task = keyTasks.head;
      if (task.next) keyTasks.head = task.next;
      else waiting.delete(key);
      queued -= 1;
      busyKeys.add(key);
      running += 1;
      task.start();
    }
    if (running === 0 && queued === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  function enqueue(key: string, task: QueuedTask): void {
    queued += 1;
    const keyTasks = waiting.get(key);
    if (keyTasks) {
      keyTasks.tail.next = task;
      keyTasks.tail = task;
      return;
    }
    waiting.set(key, { head: task, tail: task });
    if (!busyKeys.has(key)) ready.add(task.arrival, key);
  }

  /** A task of `key` ended: the key's next task, if any, takes its place by its own arrival. */
  function release(key: string): void {
    busyKeys.delete(key);
    running -= 1;
    const keyTasks = waiting.get(key);
    if (keyTasks) ready.add(keyTasks.head.arrival, key);
    pump();
  }

  function schedule<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolvePromise, rejectPromise) => {
      enqueue(key, {
        arrival: arrivals++,
        next: null,
        start: () => {
          // Started from a promise job so a synchronous throw or a fast task never re-enters pump() mid-loop
          // (a promise job, not queueMicrotask: fake timers in tests replace the latter).
          Promise.resolve()
            .then(task)
            .then(resolvePromise, rejectPromise)
            .finally(() => release(key));
        },
      });
      pump();
    });
  }

  return {
    schedule,
    get running() {
      return running;
    },
    get queued() {
      return queued;
    },
    idle() {
      if (running === 0 && queued === 0) return Promise.resolve();
      return new Promise((resolvePromise) => idleWaiters.push(resolvePromise));
    },
  };
}
