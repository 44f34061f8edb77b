/**
 * Runs every check on its cadence, concurrently: each check has its own timer, so a slow check never delays the
 * others or the cycle, and a check whose previous run is still going is skipped rather than stacked.
 * Every result goes to `onResult`; only edges (see check-state.ts) go to `onTransition`.
 */
import type { CheckResult } from "../types.js";
import type { Check } from "./check.js";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";
import { advanceCheckState, createCheckState, type CheckState, type CheckTransitionState, type FlapPolicy } from "./check-state.js";
import { runCheckOnce } from "./run-check.js";

export interface CheckTransition {
  check: string;
  state: CheckTransitionState;
  /** The result that caused the edge. */
  result: CheckResult;
}

export interface CheckSchedulerOptions {
  checks: readonly Check[];
  /** Cadence of checks without their own; default `checks.interval` (config/defaults.ts). */
  intervalMs?: number;
  /** Default `checks.flap` (config/defaults.ts); null disables flap detection. */
  flap?: FlapPolicy | null;
  /** The checks' cadence, timeouts and result times. Default systemClock. */
  clock?: Clock;
  onResult?: (result: CheckResult) => void;
  onTransition?: (transition: CheckTransition) => void;
  /** A callback threw; the scheduler goes on. Default: ignored. */
  onError?: (error: unknown, checkId: string) => void;
}

export interface CheckScheduler {
  /** Runs every check now, then each on its cadence. */
  start(): void;
  /** Clears the timers, aborts running probes and waits for them to settle. */
  stop(): Promise<void>;
  /** One run of every check now (those still running are skipped); resolves with the fresh results. */
  runAll(): Promise<CheckResult[]>;
  /** One run of one check now; null when unknown or already running. */
  runCheck(id: string): Promise<CheckResult | null>;
  /** The latest result of each check that has run, in configuration order. */
  getLastResults(): CheckResult[];
  getState(id: string): CheckState | undefined;
  isRunning(id: string): boolean;
}

/** Creates a scheduler over a fixed set of checks (ids must be unique). */
export function createCheckScheduler(options: CheckSchedulerOptions): CheckScheduler {
  const checks = new Map<string, Check>();
  for (const check of options.checks) {
    if (checks.has(check.id)) throw new Error(`duplicate check id ${check.id}`);
    checks.set(check.id, check);
  }
  const intervalMs = options.intervalMs ?? CHECK_DEFAULTS_MS.intervalMs;
  const flap = options.flap === undefined ? CHECK_DEFAULTS_MS.flap : options.flap;
  const clock = options.clock ?? systemClock;
  const states = new Map<string, CheckState>();
  const lastResults = new Map<string, CheckResult>();
  const running = new Map<string, Promise<CheckResult>>();
  let handles: TimerHandle[] = [];
  let unsubscribes: Array<() => void> = [];
  let stopController = new AbortController();

  /** Calls a consumer callback; a throwing consumer must not break the schedule. */
  function emit(checkId: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      try {
        options.onError?.(error, checkId);
      } catch {
        // onError itself failed: nothing left to tell.
      }
    }
  }

  function runOne(check: Check): Promise<CheckResult> | null {
    if (running.has(check.id)) return null;
    // A run made after stop() (runAll from `vigia check`) gets a fresh signal.
    if (stopController.signal.aborted && handles.length === 0) stopController = new AbortController();
    const signal = stopController.signal;
    const run = runCheckOnce(check, clock, signal).then((result) => {
      running.delete(check.id);
      // A probe cut short by stop() would read as a failure: shutting down is not an outage, so it is dropped.
      if (!signal.aborted) record(check, result);
      return result;
    });
    running.set(check.id, run);
    return run;
  }

  function record(check: Check, result: CheckResult): void {
    lastResults.set(check.id, result);
    const advanced = advanceCheckState(states.get(check.id) ?? createCheckState(), result, {
      failureThreshold: check.failureThreshold,
      flap: check.detectFlapping === false ? null : flap,
    });
    states.set(check.id, advanced.state);
    emit(check.id, () => options.onResult?.(result));
    for (const state of advanced.transitions) {
      emit(check.id, () => options.onTransition?.({ check: check.id, state, result }));
    }
  }

  return {
    start() {
      if (handles.length > 0) return;
      stopController = new AbortController();
      for (const check of checks.values()) {
        handles.push(clock.setInterval(() => void runOne(check), check.intervalMs ?? intervalMs));
        if (check.subscribeWake) {
          unsubscribes.push(check.subscribeWake(() => void runOne(check)));
        }
        void runOne(check);
      }
    },
    async stop() {
      for (const handle of handles) clock.clearInterval(handle);
      handles = [];
      for (const unsubscribe of unsubscribes) unsubscribe();
      unsubscribes = [];
      stopController.abort(new Error("scheduler stopped"));
      await Promise.allSettled([...running.values()]);
    },
    async runAll() {
      const runs = [...checks.values()].map((check) => runOne(check)).filter((run) => run !== null);
      return Promise.all(runs);
    },
    async runCheck(id) {
      const check = checks.get(id);
      if (!check) return null;
      return runOne(check);
    },
    getLastResults() {
      return [...checks.keys()].flatMap((id) => lastResults.get(id) ?? []);
    },
    getState: (id) => states.get(id),
    isRunning: (id) => running.has(id),
  };
}
