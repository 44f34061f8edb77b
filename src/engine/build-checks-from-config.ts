import type { VigiaConfig } from "../config/types.js";
import {
  createBotApiCheck,
  createDiskCheck,
  createExecCheck,
  createHttpCheck,
  createProcessCheck,
  createSilenceCheck,
  type Check,
  type LineActivity,
  type ProcessCheck,
} from "../checks/index.js";

/** How the daemon runs the checks it builds. */
export interface BuildChecksOptions {
  /** Restarts are described, not run. */
  dryRun?: boolean;
}

/** The checks of a validated config, built once; misconfigured entries were already refused by the config loader. */
export function buildChecksFromConfig(checks: VigiaConfig["checks"], activity: LineActivity, options: BuildChecksOptions = {}): Check[] {
  const out: Check[] = [];
  if (checks.disk) {
    for (const path of checks.disk.paths) {
      out.push(createDiskCheck({ path, warnGb: checks.disk.warnGb, criticalGb: checks.disk.criticalGb, timeoutMs: checks.disk.timeoutMs }));
    }
  }
  if (checks.botApi) {
    out.push(createBotApiCheck({ url: checks.botApi.url, healthUrl: checks.botApi.healthUrl, attempts: checks.botApi.attempts, everyMs: checks.botApi.everyMs, timeoutMs: checks.botApi.timeoutMs }));
  }
  for (const h of checks.http) {
    out.push(
      createHttpCheck({
        name: h.name,
        url: h.url,
        method: h.method,
        headers: h.headers,
        timeoutMs: h.timeoutMs,
        expectStatus: h.expectStatus ?? undefined,
        expectJson: h.expectJson ?? undefined,
        failureThreshold: h.failureThreshold,
      }),
    );
  }
  const processes = new Map<string, ProcessCheck>();
  for (const p of checks.process) {
    const check = createProcessCheck({
      name: p.name,
      pidfile: p.pidfile ?? undefined,
      pattern: p.pattern ?? undefined,
      restart: p.restart ?? undefined,
      restartLogPath: p.restartLogPath,
      restartCwd: p.restartCwd,
      dryRun: options.dryRun ?? false,
      maxRestarts: p.maxRestarts,
      restartWindowMs: p.restartWindowMs,
      timeoutMs: p.timeoutMs,
    });
    processes.set(p.name, check);
    out.push(check);
  }
  for (const s of checks.silence) {
    const proc = processes.get(s.process ?? s.source);
    out.push(
      createSilenceCheck({
        source: s.source,
        maxQuietMs: s.maxQuietMs,
        activity,
        isProcessAlive: proc ? () => proc.lastKnownAlive() : undefined,
      }),
    );
  }
  for (const e of checks.exec) {
    out.push(
      createExecCheck({
        name: e.name,
        command: e.command,
        timeoutMs: e.timeoutMs,
        expectOutput: e.expectOutput ?? undefined,
        errorType: e.errorType ?? undefined,
        severity: e.severity ?? undefined,
      }),
    );
  }
  return out;
}
