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
  key: string;
  start: () => void;
}

/** Creates a scheduler; `concurrency` ≥ 1. */
export function createKeyedScheduler(concurrency: number): KeyedScheduler {
  const limit = Math.max(1, Math.floor(concurrency));
  const queue: QueuedTask[] = [];
  const busyKeys = new Set<string>();
  let running = 0;
  let idleWaiters: Array<() => void> = [];

  function pump(): void {
    for (let index = 0; index < queue.length && running < limit; ) {
      const next = queue[index]!;
      if (busyKeys.has(next.key)) {
        index += 1;
        continue;
      }
      queue.splice(index, 1);
      busyKeys.add(next.key);
      running += 1;
      next.start();
    }
    if (running === 0 && queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  function schedule<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolvePromise, rejectPromise) => {
      queue.push({
        key,
        start: () => {
          // Started from a promise job so a synchronous throw or a fast task never re-enters pump() mid-loop
          // (a promise job, not queueMicrotask: fake timers in tests replace the latter).
          Promise.resolve()
            .then(task)
            .then(resolvePromise, rejectPromise)
            .finally(() => {
              busyKeys.delete(key);
              running -= 1;
              pump();
            });
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
      return queue.length;
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolvePromise) => idleWaiters.push(resolvePromise));
    },
  };
}
