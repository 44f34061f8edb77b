import { Worker } from "node:worker_threads";
import { resolveWorkerScript } from "../util/resolve-worker-script.js";
import type { LoadRulesOptions, LoadRulesResult } from "./load-rules.js";
import type { FromRuleLoader, ToRuleLoader } from "./rule-loader-protocol.js";

/** How long an idle rule-loading worker is kept for the next reload. */
const DEFAULT_IDLE_EXIT_MS = 30_000;

/**
 * `loadRules` in a worker thread, so that loading a big rule file never blocks the pipeline: lines keep
 * being read, matched and journaled with the rules in force while the new ones are checked. Loads are
 * answered in order; the worker starts on a load and ends once no load came for `idleExitMs` (its ReDoS verdicts
 * are on disk, see regex-verdict-cache.ts): between reloads, which may be months apart, it holds no memory.
 */
export class RuleLoader {
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Map<number, { resolve: (r: LoadRulesResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  /** `idleExitMs`: how long the worker waits for another load before it ends. Default 30 s. */
  constructor(private readonly idleExitMs = DEFAULT_IDLE_EXIT_MS) {}

  load(from: string | readonly string[], options: LoadRulesOptions = {}): Promise<LoadRulesResult> {
    this.clearIdleTimer();
    const worker = this.ensureWorker();
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, from, options } satisfies ToRuleLoader);
    });
  }

  async close(): Promise<void> {
    this.clearIdleTimer();
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error("rule loader closed"));
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(resolveWorkerScript(import.meta.url, "load-rules-worker"));
    worker.on("message", (reply: FromRuleLoader) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      // Idle between reloads, it must not keep a stopping process alive, and it ends after a while.
      if (this.pending.size === 0) {
        worker.unref();
        this.startIdleTimer(worker);
      }
      if ("error" in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.result);
    });
    const onGone = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(error);
    };
    worker.on("error", onGone);
    worker.on("exit", (code) => onGone(new Error(`rule loader exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private startIdleTimer(worker: Worker): void {
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = null; // its exit is then no failure
      void worker.terminate();
    }, this.idleExitMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
