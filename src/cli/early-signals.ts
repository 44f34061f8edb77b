/**
 * Holds SIGINT/SIGTERM that arrive while a daemon command is still starting (loading modules, config, rules), so a
 * stop requested in the first second is honoured gracefully instead of killing the process with nothing written.
 */
let pending: NodeJS.Signals | null = null;
let installed = false;
let onFirst: ((signal: NodeJS.Signals) => void) | undefined;
const record = (signal: NodeJS.Signals) => {
  if (pending === null) onFirst?.(signal);
  pending = signal;
};

/** Starts holding stop signals; `onSignal` hears the first at once (to cut short what the start is doing). */
export function holdEarlySignals(onSignal?: (signal: NodeJS.Signals) => void): void {
  onFirst = onSignal;
  if (installed) return;
  installed = true;
  process.on("SIGINT", record);
  process.on("SIGTERM", record);
}

/** Stops holding them; returns the signal that arrived meanwhile, if any. */
export function releaseEarlySignals(): NodeJS.Signals | null {
  if (installed) {
    process.off("SIGINT", record);
    process.off("SIGTERM", record);
    installed = false;
  }
  const s = pending;
  pending = null;
  onFirst = undefined;
  return s;
}
