import { Observable, type OperatorFunction } from "rxjs";
import type { IncidentChange } from "./incident-change.js";
import type { IncidentCommand, IncidentInput } from "./incident-input.js";
import { isTerminal } from "./incident-state.js";
import type { IncidentManager, PacedProgress } from "./incident-manager.js";

/**
 * Pipeline stage: matched batches and check verdicts in, the incident manager's decisions out. Each batch is handed
 * whole to the manager (it needs the unmatched events too: `resolve_on` lines, the replay guard); what comes out is
 * every change the manager publishes while subscribed, including those that the executor's steps and a seed from the
 * journal cause. The output completes when the manager shuts down, not when the inputs end: remediation in progress
 * still changes incidents after the last line. `onFolded` is told each input the manager is done with, `onIdle`
 * each time none is left.
 *
 * During a catch-up a batch may have to wait, between two of its lines, for the timers due before the later one
 * and the remediation they start (IncidentManager.handleBatchPaced): inputs arriving meanwhile queue behind it, in
 * order, in `backlog` (see FoldBacklog), which a stop may leave unhandled; `onIdle` is told then too.
 */
export function foldIntoIncidents(
  manager: IncidentManager,
  onFolded?: () => void,
  onIdle?: () => void,
  backlog: FoldBacklog = new FoldBacklog(),
): OperatorFunction<IncidentInput, IncidentChange> {
  return (inputs$) =>
    new Observable<IncidentChange>((subscriber) => {
      const changes = manager.changes$.subscribe(subscriber);
      const { queue } = backlog;
      let waiting = false;
      const foldQueued = (): void => {
        for (let input = queue[0]; input !== undefined && !backlog.isLeft(); input = queue[0]) {
          let wait: Promise<void> | null = null;
          const progress: PacedProgress = { handled: 0, cut: false };
          backlog.current = progress;
          try {
            if ("matches" in input) wait = manager.handleBatchPaced(input.events, input.matches, progress);
            else applyCommand(manager, input);
          } finally {
            if (wait === null) {
              queue.shift();
              backlog.current = null;
              onFolded?.();
            }
          }
          if (wait !== null) {
            waiting = true;
            // A stop leaves a waiting batch at once (see FoldBacklog.leave), not when its wait ends.
            if (backlog.isLeaving()) {
              void wait.catch(() => undefined);
              return backlog.leave();
            }
            wait.then(
              () => {
                if (backlog.isLeft()) return;
                waiting = false;
                queue.shift();
                backlog.current = null;
                onFolded?.();
                try {
                  foldQueued();
                } catch (error) {
                  subscriber.error(error);
                }
              },
              (error: unknown) => subscriber.error(error),
            );
            return;
          }
        }
        onIdle?.();
      };
      backlog.onLeave = () => onIdle?.();
      const inputs = inputs$.subscribe({
        next: (input) => {
          queue.push(input);
          if (!waiting) foldQueued();
        },
        error: (error: unknown) => subscriber.error(error),
      });
      return () => {
        inputs.unsubscribe();
        changes.unsubscribe();
      };
    });
}

/**
 * What the incident stage has taken in and not handled yet: a checkpoint stays before it (getPendingOffset), and a
 * stop leaves it to the next start instead of waiting for a catch-up's remediation to reach its log time (leave).
 */
export class FoldBacklog {
  /** Inputs not handled yet, in order; the first may be a batch handled in part (`current.handled` of its events). */
  readonly queue: IncidentInput[] = [];
  current: PacedProgress | null = null;
  onLeave: (() => void) | null = null;
  private leaving = false;
  private left = false;

  /** First offset in file `fileId` of an event taken in and not handled, if any. */
  getPendingOffset(fileId: string): number | undefined {
    let first: number | undefined;
    for (const [index, input] of this.queue.entries()) {
      if (!("matches" in input)) continue;
      const from = index === 0 && this.current ? this.current.handled : 0;
      for (let i = from; i < input.events.length; i++) {
        const event = input.events[i]!;
        if (event.fileId === fileId && event.offset >= 0 && (first === undefined || event.offset < first)) first = event.offset;
      }
    }
    return first;
  }

  /**
   * From now on a batch that has to wait for its log time is left unhandled, with every input after it: at once
   * when one waits now, else at the next that would. Inputs that need no wait are still handled.
   */
  leave(): void {
    this.leaving = true;
    if (this.current === null || this.left) return;
    this.current.cut = true;
    this.left = true;
    this.onLeave?.();
  }

  isLeaving(): boolean {
    return this.leaving;
  }

  /** Whether inputs were left: they stay unhandled. */
  isLeft(): boolean {
    return this.left;
  }
}

/** A verdict applies to the key's open incident; with none open (never opened, or closed already) it is moot. */
function applyCommand(manager: IncidentManager, command: IncidentCommand): void {
  const open = manager.getByKey(command.key);
  if (!open || isTerminal(open.estado)) return;
  if (command.type === "note") {
    manager.note(open.id, { accion: command.accion, detalle: command.detalle, message: command.message });
    return;
  }
  if (command.onlyIfLogOpened && open.fuente.startsWith("check:")) return;
  manager.transition(open.id, command.estado, { accion: command.accion, detalle: command.detalle, message: command.message });
}
