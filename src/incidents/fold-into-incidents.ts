import { Observable, type OperatorFunction } from "rxjs";
import type { IncidentChange } from "./incident-change.js";
import type { IncidentCommand, IncidentInput } from "./incident-input.js";
import { isTerminal } from "./incident-state.js";
import type { IncidentManager } from "./incident-manager.js";

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
 * order.
 */
export function foldIntoIncidents(manager: IncidentManager, onFolded?: () => void, onIdle?: () => void): OperatorFunction<IncidentInput, IncidentChange> {
  return (inputs$) =>
    new Observable<IncidentChange>((subscriber) => {
      const changes = manager.changes$.subscribe(subscriber);
      const queue: IncidentInput[] = [];
      let waiting = false;
      const foldQueued = (): void => {
        for (let input = queue.shift(); input !== undefined; input = queue.shift()) {
          let wait: Promise<void> | null = null;
          try {
            if ("matches" in input) wait = manager.handleBatchPaced(input.events, input.matches);
            else applyCommand(manager, input);
          } finally {
            if (wait === null) onFolded?.();
          }
          if (wait !== null) {
            waiting = true;
            wait.then(
              () => {
                waiting = false;
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
