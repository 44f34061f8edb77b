import { Observable, type OperatorFunction } from "rxjs";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";
import type { LogEvent, SourceLine } from "../types.js";
import { MultilineGrouper, type MultilineOptions } from "./multiline-grouper.js";

export type { MultilineOptions } from "./multiline-grouper.js";

/** The operator, plus what the checkpoint writer and the shutdown path need to ask of its live state. */
export interface MultilineOperator extends OperatorFunction<SourceLine[], LogEvent[]> {
  /** Offset of the earliest event still pending for `fileId` (any live subscription), or undefined. */
  getPendingOffset(fileId: string): number | undefined;
  /**
   * Emits every pending event now, without waiting for the idle timeout (graceful stop); those of a file still
   * behind (`isBehind`: the stop left its next bytes unread) are dropped instead, and each such file's first offset
   * is returned.
   */
  flush(): Map<string, number>;
  /** Events pending across live subscriptions. */
  readonly pendingCount: number;
}

interface LiveGrouping {
  grouper: MultilineGrouper;
  flushAll(left?: Map<string, number>): void;
}

/**
 * Groups batches of lines into batches of events: per source with `multiline.start`, continuation lines join the
 * event they follow, which is emitted when the next start line arrives, after `flushIdleMs` without a line for it,
 * at its size cap, or when the input completes. Work is per batch, never per line, so the operator adds no
 * Observable overhead per line. `clock` supplies the time and the idle timer (virtual time in tests).
 */
export function groupMultiline(options: MultilineOptions, clock: Clock = systemClock): MultilineOperator {
  const live = new Set<LiveGrouping>();

  const operator = (source: Observable<SourceLine[]>): Observable<LogEvent[]> =>
    new Observable<LogEvent[]>((subscriber) => {
      const grouper = new MultilineGrouper(options);
      let timer: TimerHandle | null = null;

      const emit = (out: LogEvent[]): void => {
        if (out.length > 0) subscriber.next(out);
      };
      // One timer at a time, set for the earliest deadline: deadlines only move later as lines arrive, so a timer
      // that fires early just flushes nothing and re-arms. This keeps timer churn independent of line rate.
      const armTimer = (): void => {
        if (timer !== null) return;
        const dueAtMs = grouper.getNextFlushAtMs();
        if (dueAtMs === null) return;
        timer = clock.setTimeout(onTimer, Math.max(0, dueAtMs - clock.now()));
      };
      const onTimer = (): void => {
        timer = null;
        const out: LogEvent[] = [];
        grouper.flushIdle(clock.now(), out);
        emit(out);
        armTimer();
      };
      const entry: LiveGrouping = {
        grouper,
        flushAll(left) {
          const out: LogEvent[] = [];
          grouper.flushAll(out, left);
          emit(out);
        },
      };
      live.add(entry);

      const subscription = source.subscribe({
        next(lines) {
          const out: LogEvent[] = [];
          grouper.push(lines, clock.now(), out);
          emit(out);
          armTimer();
        },
        error(error: unknown) {
          subscriber.error(error);
        },
        complete() {
          entry.flushAll();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        clock.clearTimeout(timer);
        timer = null;
        live.delete(entry);
      };
    });

  return Object.defineProperties(operator, {
    getPendingOffset: {
      value(fileId: string): number | undefined {
        let min: number | undefined;
        for (const { grouper } of live) {
          const offset = grouper.getPendingOffset(fileId);
          if (offset !== undefined && (min === undefined || offset < min)) min = offset;
        }
        return min;
      },
    },
    flush: {
      value(): Map<string, number> {
        const left = new Map<string, number>();
        for (const entry of [...live]) entry.flushAll(left);
        return left;
      },
    },
    pendingCount: {
      get(): number {
        let n = 0;
        for (const { grouper } of live) n += grouper.pendingCount;
        return n;
      },
    },
  }) as MultilineOperator;
}
