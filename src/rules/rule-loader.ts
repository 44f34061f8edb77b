import { Worker } from "node:worker_threads";
import { resolveWorkerScript } from "../util/resolve-worker-script.js";
import type { LoadRulesOptions, LoadRulesResult } from "./load-rules.js";
import type { FromRuleLoader, ToRuleLoader } from "./rule-loader-protocol.js";

/**
 * `loadRules` in a worker thread, so that loading a big rule file never blocks the pipeline: lines keep
 * being read, matched and journaled with the rules in force while the new ones are checked. Loads are
 * answered in order; the worker starts on the first load and is kept (with its ReDoS verdicts) until close.
 */
export class RuleLoader {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (r: LoadRulesResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  load(from: string | readonly string[], options: LoadRulesOptions = {}): Promise<LoadRulesResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, from, options } satisfies ToRuleLoader);
    });
  }

  async close(): Promise<void> {
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
      // Idle between reloads, it must not keep a stopping process alive.
      if (this.pending.size === 0) worker.unref();
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

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
