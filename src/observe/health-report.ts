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
  /** File size (at the last look) minus offset: how far behind the tail we are; 0 once caught up. */
  lag_bytes: number;
  /** ISO time of the last line, null before the first. */
  last_line_at: string | null;
  /** False while the file is missing (vigia waits for it). */
  exists?: boolean;
  /** Optional counters the engine may add (rotations, truncations). */
  rotations?: number;
  truncations?: number;
}

export interface HealthCheck {
  check: string;
  ok: boolean;
  /** For the operator, in English (`vigia status`, the degraded reasons). */
  message: string;
  /** For the admin, in Spanish (the dashboard, Telegram's /estado). */
  motivo: string;
  /** ISO time of the run. */
  at: string;
  duration_ms?: number;
}

export interface HealthReport {
  /** `ok` when every source is read, every check passes and the journal is written; `degraded` otherwise. */
  status: "ok" | "degraded" | "starting" | "stopping";
  /** Why it is degraded, one line each (`source backend: /x/backend.log does not exist`); empty when ok. */
  reasons?: string[];
  version: string;
  uptime_s: number;
  sources: HealthSource[];
  rules: {
    loaded: number;
    files: number;
    last_reload: string | null;
    last_error: string | null;
    /** Rules taken out of matching because one event kept them busy past `match_budget_ms` (then `degraded`). */
    disabled?: Array<{ id: string; at: string; since: string; reason: string }>;
  };
  /** Open (not terminal) incidents by error_type. */
  incidents_open: Record<string, number>;
  checks: HealthCheck[];
  notifier: { queued: number; sent: number; failed: number; dropped: number };
  /** The dead man's switch (`notify.heartbeat`), when configured: how many calls went out, and why they stopped. */
  heartbeat?: HeartbeatState;
  /** Remediation jobs running now and waiting for a slot (`remediation.concurrency`): the remediation queue. */
  remediation?: { running: number; queued: number };
  /** The incident journal: `ok` false while it cannot be written (then `status` is `degraded`). */
  journal?: { path: string; ok: boolean; unwritten: number; failing_since: string | null; last_error: string | null };
  /** Every stage of the pipeline, in order: what it took in and handed on, and whether it is stuck (then `degraded`). */
  pipeline?: HealthPipeline;
}

/** The stages lines go through: read (per source), grouped into events, matched, folded into incidents, journaled. */
export type PipelineStageName = "read" | "group" | "match" | "fold" | "journal";

/**
 * What a stage's numbers count: bytes of the current file (read), lines (group: lines in, lines handed on in events),
 * events (match), inputs (fold: batches of matched events and check verdicts), incident changes (journal).
 */
export type PipelineUnit = "bytes" | "lines" | "events" | "inputs" | "changes";

export interface HealthStage {
  stage: PipelineStageName;
  /** The source, for `read`. */
  source?: string;
  unit: PipelineUnit;
  /** Taken in this session (read: the current file's size at the last look). */
  in: number;
  /** Handed on this session (read: the offset read up to). */
  out: number;
  /** `in − out`: work waiting at this stage now. */
  waiting: number;
  /** Seconds work has waited here with nothing handed on; null while the stage moves or has nothing waiting. */
  stalled_s: number | null;
  /** Stalled for `stuck_after_s` or more: the heartbeat stops and `status` is `degraded`. */
  stuck: boolean;
}

export interface HealthPipeline {
  /** How long a stage may hold waiting work without handing any on before it counts as stuck (`notify.heartbeat.stuck_after`). */
  stuck_after_s: number;
  stages: HealthStage[];
  /** Why the pipeline stopped for good (a stage threw: lines are no longer matched until a restart); absent while it runs. */
  failed?: string;
}

export interface HeartbeatState {
  /** Scheme, host and port only: the path identifies the check. */
  target: string;
  /** Calls answered with 2xx. */
  beats: number;
  /** Calls not made because vigia was not healthy. */
  skipped: number;
  /** ISO time of the last answered call; null before the first. */
  last_beat_at: string | null;
  /** Why calls are not being made now (journal not writable, a pipeline stage stuck); null while they are. */
  paused: string | null;
  /** The last call failed (no answer, non-2xx): the service will alert as if vigia were dead. */
  failing: boolean;
}

/** Why a running vigia is degraded: missing source files and failing checks, one line each; empty = ok. */
export function listDegradedReasons(sources: ReadonlyArray<Pick<HealthSource, "name" | "path" | "exists">>, checks: readonly HealthCheck[]): string[] {
  return [
    ...sources.filter((s) => s.exists === false).map((s) => `source ${s.name}: ${s.path} does not exist`),
    ...checks.filter((c) => !c.ok).map((c) => `check ${c.check}: ${c.message}`),
  ];
}

/** `GET /health/ready`: 200 when ready, 503 with the reasons otherwise. */
export interface Readiness {
  ready: boolean;
  /** Each unmet condition, in English (for the operator's probe logs). */
  problems: string[];
  sources_open?: boolean;
  rules_loaded?: boolean;
  journal_writable?: boolean;
}

/** A check result as /health shows it. */
export function toHealthCheck(result: CheckResult): HealthCheck {
  return {
    check: result.check,
    ok: result.ok,
    message: result.message,
    motivo: result.motivo,
    at: new Date(result.atMs).toISOString(),
    duration_ms: result.durationMs,
  };
}
