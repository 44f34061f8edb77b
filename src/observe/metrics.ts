/**
 * vigia's Prometheus metrics, on a registry of its own (not prom-client's global one) so every engine, test and
 * bench gets a clean set. Labels carry only bounded values: source names, rule ids, check ids and channels from
 * the config, estados, outcomes and action types from fixed lists. Never keys, paths from log lines, messages or
 * secrets: each distinct label value is a time series forever.
 *
 * This file only declares them; the `record-*.ts` files beside it update them where each event happens, and set
 * every known label value to 0 beforehand so a series exists before its first event (Prometheus' advice: a
 * missing series breaks `rate()` and alerts). docs/metrics.md lists them; a test keeps the two in step.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface VigiaMetrics {
  readonly registry: Registry;
  /** Lines read, per source. */
  readonly linesRead: Counter<"source">;
  /** Bytes of the lines read (terminators included), per source. */
  readonly bytesRead: Counter<"source">;
  /** Events after multiline grouping, per source. */
  readonly events: Counter<"source">;
  readonly tailerRotations: Counter<"source">;
  readonly tailerTruncations: Counter<"source">;
  /** Lines cut to `maxLineBytes`. */
  readonly truncatedLines: Counter<"source">;
  /** Bytes written to the source's files but not read yet; read from the tailers at scrape time. */
  readonly sourceLagBytes: Gauge<"source">;
  readonly ruleMatches: Counter<"rule">;
  /** Matches held back by a rule's threshold (counted, not yet acted on). */
  readonly thresholdHeldMatches: Counter<"rule">;
  readonly ruleReloads: Counter<"outcome">;
  readonly rulesLoaded: Gauge;
  /** Open incidents in each open estado; read from the incident manager at scrape time. */
  readonly openIncidents: Gauge<"error_type" | "estado">;
  /** Incidents the incident manager holds in memory (open, or closed within their cooldown); read at scrape time. */
  readonly incidentsHeld: Gauge;
  /** Seconds incident time is behind the wall clock: the log's lag during a catch-up, 0 when followed live. */
  readonly incidentTimeLag: Gauge;
  /** Every change of an incident's estado, `detectado` (its opening) included. */
  readonly incidentTransitions: Counter<"error_type" | "estado">;
  /** Remediation attempts started: the fix itself (intento 0) and each retry. */
  readonly remediationAttempts: Counter<"rule">;
  /** Actions run, by rule, action type (`mkdir`, `exec`…) and result (`ok`, `failed`, `dry_run`). */
  readonly remediationActions: Counter<"rule" | "action" | "result">;
  /** How remediation jobs ended: `solucionado`, `fallido`, `cancelado`. */
  readonly remediationOutcomes: Counter<"rule" | "outcome">;
  /** Seconds one action took, by action type. */
  readonly remediationActionDuration: Histogram<"action">;
  /** Remediation jobs running an attempt (each in a `remediation.concurrency` slot); read from the executor at scrape time. */
  readonly remediationRunning: Gauge;
  /** The remediation queue: jobs of open incidents waiting for a slot or their next attempt; read at scrape time. */
  readonly remediationQueued: Gauge;
  /** Messages delivered, per channel (`telegram`, `webhook`; `log` when Telegram is off). */
  readonly notificationsSent: Counter<"channel">;
  /** Messages that finally could not be delivered (after retries). */
  readonly notificationsFailed: Counter<"channel">;
  /** Dropped unsent: flood control, a full queue, or still waiting at shutdown. */
  readonly notificationsDropped: Counter<"channel">;
  /** Messages waiting in the channel's queue; read from the notifier at scrape time. */
  readonly notificationsQueued: Gauge<"channel">;
  /** Check runs by check id and result (`ok` / `fail`). */
  readonly checkRuns: Counter<"check" | "result">;
  readonly checkDuration: Histogram<"check">;
  /** 1 when the check's last run was ok, else 0; absent until its first run. */
  readonly checkUp: Gauge<"check">;
  readonly journalWrites: Counter<"outcome">;
  readonly journalWriteDuration: Histogram;
  /** Error types (rule ids, check error types) whose series are initialised; the open-incidents gauge shows each. */
  readonly knownErrorTypes: Set<string>;
  /** Makes `read` fill `gauge` just before each scrape (a gauge of a state that lives elsewhere). */
  readOnScrape<L extends string>(gauge: Gauge<L>, read: (gauge: Gauge<L>) => void): void;
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
  const readers = new Map<Gauge<string>, () => void>();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name: p + name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name: p + name, help, labelNames, registers });
  /** A gauge filled at scrape time by the reader `readOnScrape` gave it. */
  const scrapedGauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({
      name: p + name,
      help,
      labelNames,
      registers,
      collect() {
        readers.get(this as Gauge<string>)?.();
      },
    });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> =>
    new Histogram({ name: p + name, help, labelNames, buckets, registers });

  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });

  const metrics: VigiaMetrics = {
    registry,
    linesRead: counter("lines_read_total", "Lines read per source", ["source"]),
    bytesRead: counter("bytes_read_total", "Bytes of the lines read per source, line terminators included", ["source"]),
    events: counter("events_total", "Events after multiline grouping per source", ["source"]),
    tailerRotations: counter("tailer_rotations_total", "Log rotations followed", ["source"]),
    tailerTruncations: counter("tailer_truncations_total", "Files truncated in place (copytruncate)", ["source"]),
    truncatedLines: counter("truncated_lines_total", "Lines cut to the maximum line length", ["source"]),
    sourceLagBytes: scrapedGauge("source_lag_bytes", "Bytes written to the source's files but not read yet", ["source"]),
    ruleMatches: counter("rule_matches_total", "Matches per rule", ["rule"]),
    thresholdHeldMatches: counter("threshold_held_matches_total", "Matches held back by a rule threshold", ["rule"]),
    ruleReloads: counter("rule_reloads_total", "Rule reloads by outcome", ["outcome"]),
    rulesLoaded: gauge("rules_loaded", "Rules currently loaded", []),
    openIncidents: scrapedGauge("open_incidents", "Open incidents in each open estado", ["error_type", "estado"]),
    incidentsHeld: scrapedGauge("incidents_held", "Incidents held in memory: open, or closed within their cooldown", []),
    incidentTimeLag: scrapedGauge("incident_time_lag_seconds", "Seconds incident time is behind the wall clock: the log's lag during a catch-up, 0 when followed live", []),
    incidentTransitions: counter("incident_transitions_total", "Incident changes into each estado, detectado included", ["error_type", "estado"]),
    remediationAttempts: counter("remediation_attempts_total", "Remediation attempts started: the fix itself and each retry", ["rule"]),
    remediationActions: counter("remediation_actions_total", "Remediation actions run, by result", ["rule", "action", "result"]),
    remediationOutcomes: counter("remediation_outcomes_total", "How remediation jobs ended", ["rule", "outcome"]),
    remediationActionDuration: histogram("remediation_action_duration_seconds", "Time one remediation action took", ["action"], ACTION_BUCKETS_S),
    remediationRunning: scrapedGauge("remediation_running", "Remediation jobs running an attempt, each in one of remediation.concurrency's slots", []),
    remediationQueued: scrapedGauge("remediation_queued", "The remediation queue's length: jobs of open incidents waiting for a slot or for their next attempt", []),
    notificationsSent: counter("notifications_sent_total", "Notifications delivered", ["channel"]),
    notificationsFailed: counter("notifications_failed_total", "Notifications that failed after retries", ["channel"]),
    notificationsDropped: counter("notifications_dropped_total", "Notifications dropped by flood control, a full queue or shutdown", ["channel"]),
    notificationsQueued: scrapedGauge("notifications_queued", "Notifications waiting to be sent", ["channel"]),
    checkRuns: counter("check_runs_total", "Check runs by result", ["check", "result"]),
    checkDuration: histogram("check_duration_seconds", "Time one check run took", ["check"], CHECK_BUCKETS_S),
    checkUp: gauge("check_up", "1 when the check's last run was ok, else 0", ["check"]),
    journalWrites: counter("journal_writes_total", "Journal rewrites by outcome", ["outcome"]),
    journalWriteDuration: histogram("journal_write_duration_seconds", "Time one atomic journal rewrite took", [], JOURNAL_BUCKETS_S),
    knownErrorTypes: new Set(),
    readOnScrape(target, read) {
      readers.set(target as Gauge<string>, () => read(target));
    },
  };
  // Label values from fixed lists exist from the start; those from the config and the rules are set by record-*.ts.
  for (const outcome of ["ok", "failed"]) {
    metrics.journalWrites.inc({ outcome }, 0);
    metrics.ruleReloads.inc({ outcome }, 0);
  }
  return metrics;
}
