/**
 * vigia's Prometheus metrics, on a registry of its own (not prom-client's global one) so every engine, test and
 * bench gets a clean set. Labels carry only bounded values: source names, rule ids, check ids and channels from
 * the config, estados, outcomes and action types from fixed lists. Never keys, paths from log lines, or messages:
 * each distinct label value is a time series forever.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { CheckResult, Estado } from "../types.js";

export interface VigiaMetrics {
  readonly registry: Registry;
  /** Lines read, per source. */
  readonly linesRead: Counter<"source">;
  readonly bytesRead: Counter<"source">;
  /** Events after multiline grouping, per source. */
  readonly events: Counter<"source">;
  readonly ruleMatches: Counter<"rule">;
  /** Matches held back by a rule's threshold (counted, not yet acted on). */
  readonly thresholdHeldMatches: Counter<"rule">;
  /** Incidents now in each estado (set from the incident manager's state, see `recordIncidentCounts`). */
  readonly incidents: Gauge<"error_type" | "estado">;
  /** Every incident transition into an estado. */
  readonly incidentTransitions: Counter<"error_type" | "estado">;
  /** Action attempts, by rule and action type (`mkdir`, `exec`…). */
  readonly remediationAttempts: Counter<"rule" | "action">;
  readonly remediationOutcomes: Counter<"rule" | "outcome">;
  /** Seconds one action took, by action type. */
  readonly actionDuration: Histogram<"action">;
  readonly notificationsSent: Counter<"channel">;
  readonly notificationsFailed: Counter<"channel">;
  /** Dropped by the rate limit or a full queue. */
  readonly notificationsDropped: Counter<"channel">;
  readonly notifierQueued: Gauge<"channel">;
  /** Check runs by check id and result (`ok` / `fail`). */
  readonly checkRuns: Counter<"check" | "result">;
  readonly checkDuration: Histogram<"check">;
  /** 1 when the check's last run was ok, else 0. */
  readonly checkUp: Gauge<"check">;
  readonly tailerRotations: Counter<"source">;
  readonly tailerTruncations: Counter<"source">;
  /** Lines cut to `maxLineBytes`. */
  readonly truncatedLines: Counter<"source">;
  /** Bytes written to the source file but not read yet. */
  readonly sourceLagBytes: Gauge<"source">;
  readonly ruleReloads: Counter<"outcome">;
  readonly rulesLoaded: Gauge;
  readonly journalWrites: Counter<"outcome">;
  readonly journalWriteDuration: Histogram;
  /** Records one check result: run counter, duration, up gauge. */
  recordCheckResult(result: CheckResult): void;
  /** Replaces the incidents gauge with current counts: `{ruta_inexistente: {reintentando: 2}}`. */
  recordIncidentCounts(counts: Readonly<Record<string, Partial<Record<Estado, number>>>>): void;
}

export interface CreateMetricsOptions {
  /** Default true: process CPU, memory, event loop lag, GC (prom-client's default metrics). */
  collectProcessMetrics?: boolean;
  /** Prefix of vigia's own metrics; default `vigia_`. */
  prefix?: string;
}

/** Seconds: from a quick mkdir to an action killed at its 30 s timeout. */
const ACTION_BUCKETS_S = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds: a local probe answers in milliseconds; 5 s is the default HTTP timeout. */
const CHECK_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOURNAL_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/** Creates a fresh registry with every vigia metric registered on it. */
export function createMetrics(options: CreateMetricsOptions = {}): VigiaMetrics {
  const registry = new Registry();
  const p = options.prefix ?? "vigia_";
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name: p + name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name: p + name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> =>
    new Histogram({ name: p + name, help, labelNames, buckets, registers });

  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });

  const incidents = gauge("incidents", "Incidents currently in each estado", ["error_type", "estado"]);
  const checkRuns = counter("check_runs_total", "Check runs by result", ["check", "result"]);
  const checkDuration = histogram("check_duration_seconds", "Time one check run took", ["check"], CHECK_BUCKETS_S);
  const checkUp = gauge("check_up", "1 when the check's last run was ok, else 0", ["check"]);

  return {
    registry,
    linesRead: counter("lines_read_total", "Lines read per source", ["source"]),
    bytesRead: counter("bytes_read_total", "Bytes read per source", ["source"]),
    events: counter("events_total", "Events after multiline grouping per source", ["source"]),
    ruleMatches: counter("rule_matches_total", "Matches per rule", ["rule"]),
    thresholdHeldMatches: counter("threshold_held_matches_total", "Matches held back by a rule threshold", ["rule"]),
    incidents,
    incidentTransitions: counter("incident_transitions_total", "Incident transitions into each estado", ["error_type", "estado"]),
    remediationAttempts: counter("remediation_attempts_total", "Remediation action attempts", ["rule", "action"]),
    remediationOutcomes: counter("remediation_outcomes_total", "Remediation outcomes", ["rule", "outcome"]),
    actionDuration: histogram("action_duration_seconds", "Time one remediation action took", ["action"], ACTION_BUCKETS_S),
    notificationsSent: counter("notifications_sent_total", "Notifications delivered", ["channel"]),
    notificationsFailed: counter("notifications_failed_total", "Notifications that failed after retries", ["channel"]),
    notificationsDropped: counter("notifications_dropped_total", "Notifications dropped by rate limit or full queue", ["channel"]),
    notifierQueued: gauge("notifier_queued", "Notifications waiting to be sent", ["channel"]),
    checkRuns,
    checkDuration,
    checkUp,
    tailerRotations: counter("tailer_rotations_total", "Log rotations followed", ["source"]),
    tailerTruncations: counter("tailer_truncations_total", "Files truncated in place (copytruncate)", ["source"]),
    truncatedLines: counter("truncated_lines_total", "Lines cut to the maximum line length", ["source"]),
    sourceLagBytes: gauge("source_lag_bytes", "Bytes written to the source but not read yet", ["source"]),
    ruleReloads: counter("rule_reloads_total", "Rule reloads by outcome", ["outcome"]),
    rulesLoaded: gauge("rules_loaded", "Rules currently loaded", []),
    journalWrites: counter("journal_writes_total", "Journal rewrites by outcome", ["outcome"]),
    journalWriteDuration: histogram("journal_write_duration_seconds", "Time one atomic journal rewrite took", [], JOURNAL_BUCKETS_S),
    recordCheckResult(result) {
      checkRuns.inc({ check: result.check, result: result.ok ? "ok" : "fail" });
      checkDuration.observe({ check: result.check }, result.durationMs / 1000);
      checkUp.set({ check: result.check }, result.ok ? 1 : 0);
    },
    recordIncidentCounts(counts) {
      // reset() then set(): an estado no incident is in any more must read 0 / vanish, not keep its old value.
      incidents.reset();
      for (const [errorType, byEstado] of Object.entries(counts)) {
        for (const [estado, n] of Object.entries(byEstado)) incidents.set({ error_type: errorType, estado }, n ?? 0);
      }
    },
  };
}
