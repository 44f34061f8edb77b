import type { CheckTransition } from "../checks/index.js";
import type { SupervisedChild } from "../sources/supervise-child.js";

export interface FullDiskPauseOptions {
  /** The supervised children (read at each change: they are created after the checks start). */
  getChildren(): readonly SupervisedChild[];
  /** SIGTERM, then SIGKILL after this long. */
  graceMs: number;
  logger: { info(m: string): void; warn(m: string): void };
  /** Records the stop on the disk incident's transitions: `accion` for the journal, `message` for vigia's log. */
  note(checkId: string, accion: string, message: string): void;
}

export interface FullDiskPause {
  /** Feed every check edge. */
  handleTransition(t: CheckTransition): void;
  /** True while some disk check is critical. */
  isFull(): boolean;
}

/**
 * The seed's "Disco lleno: detiene y marca crítico": while any disk check is critical the supervised commands are
 * stopped (a bot writing into a full disk only leaves truncated videos behind), and started again once the checks
 * see space — above `warn_gb`, the disk check's own way out of critical.
 */
export function createFullDiskPause(options: FullDiskPauseOptions): FullDiskPause {
  const critical = new Set<string>();
  return {
    handleTransition(t) {
      if (t.result.kind !== "disk" || (t.state !== "down" && t.state !== "up")) return;
      const wasFull = critical.size > 0;
      if (t.state === "down" && t.result.severity === "critical") critical.add(t.check);
      else critical.delete(t.check);
      const full = critical.size > 0;
      if (full && !wasFull) {
        options.logger.warn(`${t.check} critical: stopping the supervised command(s) until there is space again`);
        for (const child of options.getChildren()) void child.pause(options.graceMs);
        options.note(t.check, "bot detenido: disco lleno", "supervised command(s) stopped: disk full");
      } else if (!full && wasFull) {
        options.logger.info(`${t.check}: space is back, starting the supervised command(s) again`);
        for (const child of options.getChildren()) child.resume();
      }
    },
    isFull: () => critical.size > 0,
  };
}
