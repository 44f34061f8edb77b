/**
 * The JSON served at `GET /health` and printed by `vigia status`. The engine assembles it from its stages'
 * state; this file only fixes the shape (snake_case, as operators' scripts read it).
 */
import type { CheckResult } from "../types.js";

export interface HealthSource {
  name: string;
  path: string;
  /** Bytes of the current file already read. */
  offset: number;
  /** File size minus offset: how far behind the tail we are. */
  lag_bytes: number;
  /** ISO time of the last line, null before the first. */
  last_line_at: string | null;
  /** Optional counters the engine may add (rotations, truncations). */
  rotations?: number;
  truncations?: number;
}

export interface HealthCheck {
  check: string;
  ok: boolean;
  message: string;
  /** ISO time of the run. */
  at: string;
  duration_ms?: number;
}

export interface HealthReport {
  /** `ok` when every source is read and every check passes; `degraded` otherwise. */
  status: "ok" | "degraded" | "starting" | "stopping";
  version: string;
  uptime_s: number;
  sources: HealthSource[];
  rules: { loaded: number; files: number; last_reload: string | null; last_error: string | null };
  /** Open (not terminal) incidents by error_type. */
  incidents_open: Record<string, number>;
  checks: HealthCheck[];
  notifier: { queued: number; sent: number; failed: number; dropped: number };
}

/** A check result as /health shows it. */
export function toHealthCheck(result: CheckResult): HealthCheck {
  return {
    check: result.check,
    ok: result.ok,
    message: result.message,
    at: new Date(result.atMs).toISOString(),
    duration_ms: result.durationMs,
  };
}
