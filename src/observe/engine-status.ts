/**
 * What a running engine says about itself: the `/health` document, `/health/ready`, and what the dashboard reads.
 * The engine hands over read-only views of its stages; this module only reads them, so nothing here can change
 * what vigia does.
 */
import type { Observable } from "rxjs";
import type { UnknownErrorStore } from "../discover/unknown-error-store.js";
import type { IncidentManager } from "../incidents/incident-manager.js";
import type { JournalWriter } from "../incidents/journal-writer.js";
import type { Notifier } from "../notify/notifier.js";
import type { Executor } from "../remediation/index.js";
import type { RuleMatchWorker } from "../rules/rule-match-worker.js";
import type { TailerStats } from "../sources/file-tailer.js";
import type { CheckResult, CompiledRule } from "../types.js";
import { VERSION } from "../version.js";
import type { CheckHistory } from "./check-history.js";
import type { DashboardSource } from "./dashboard/dashboard-source.js";
import { listDegradedReasons, toHealthCheck, type HealthReport, type HeartbeatState, type Readiness } from "./health-report.js";
import type { VigiaMetrics } from "./metrics.js";
import { describeStuckStage, type PipelineWatch, type StageCount } from "./pipeline-watch.js";

type EngineState = "created" | "running" | "stopping" | "stopped";

/** The rules in force and how their last (re)load went. */
interface RulesStatus {
  rules: readonly CompiledRule[];
  files: number;
  /** ISO time of the last successful load. */
  lastReload: string | null;
  /** The problems of the last refused reload; null once a reload succeeds. */
  lastError: string | null;
}

/** The engine's stages, as the status reads them. Getters where the engine creates the part after construction. */
export interface EngineStatusView {
  getState(): EngineState;
  startedAtMs: number;
  /** False until the configured files are followed (true when this run tails none). */
  areSourcesOpen(): boolean;
  getSourceStats(): readonly TailerStats[];
  getRulesStatus(): RulesStatus;
  /** The last result of each check; empty before checks run. */
  getCheckResults(): readonly CheckResult[];
  getHeartbeat(): HeartbeatState | undefined;
  getCheckHistory(): CheckHistory | null;
  manager: Pick<IncidentManager, "listOpen">;
  journal: Pick<JournalWriter, "path" | "getBacklog" | "getElements">;
  notifier: Pick<Notifier, "getStats">;
  executor: Pick<Executor, "getLoad">;
  matchWorker: Pick<RuleMatchWorker, "listDisabled">;
  unknownErrors: Pick<UnknownErrorStore, "list">;
  metrics: Pick<VigiaMetrics, "ruleMatches">;
  /** The composed pipeline's counters between reading and the journal (group, match, fold); empty before start. */
  countStages(): StageCount[];
  /** Judges the stages' counters, look after look. */
  pipelineWatch: PipelineWatch;
  /** The error that stopped the composed pipeline, or null while it runs. */
  getPipelineFailure(): string | null;
  /** Masks the config's secrets and credential-shaped text. */
  redactText(text: string): string;
}

/** The `/health` document. */
export function buildHealthReport(view: EngineStatusView, nowMs = Date.now()): HealthReport {
  const state = view.getState();
  const open: Record<string, number> = {};
  for (const i of view.manager.listOpen()) open[i.error_type] = (open[i.error_type] ?? 0) + 1;
  const checks = view.getCheckResults().map(toHealthCheck);
  const sources = view.getSourceStats();
  const stats = view.notifier.getStats();
  const backlog = view.journal.getBacklog();
  const journalOk = backlog.failingSinceMs === null;
  const reasons = listDegradedReasons(
    sources.map((s) => ({ name: s.source, path: s.path, exists: s.exists })),
    checks,
  );
  if (!journalOk) reasons.push(`journal ${view.journal.path}: cannot be written (${backlog.lastError ?? "unknown error"}); ${backlog.unwritten} incident(s) not on disk`);
  const pipeline = view.pipelineWatch.look(
    [
      ...sources.map((s): StageCount => ({ stage: "read", source: s.source, unit: "bytes", in: s.offset + s.lagBytes, out: s.offset })),
      ...view.countStages(),
      { stage: "journal", unit: "changes", in: backlog.changes, out: backlog.changesWritten },
    ],
    nowMs,
  );
  for (const stage of pipeline.stages) if (stage.stuck) reasons.push(`pipeline stuck at ${describeStuckStage(stage)}`);
  const failure = view.getPipelineFailure();
  if (failure !== null) {
    pipeline.failed = failure;
    reasons.push(`pipeline stopped: ${failure}; lines are no longer matched until vigia restarts`);
  }
  const disabledRules = view.matchWorker.listDisabled();
  for (const d of disabledRules) reasons.push(`rule ${d.rule.id} (${d.rule.file}:${d.rule.line}): disabled, an event took it more than ${d.budgetMs} ms`);
  const rules = view.getRulesStatus();
  return {
    status: state === "running" ? (reasons.length === 0 ? "ok" : "degraded") : state === "created" ? "starting" : "stopping",
    reasons: state === "running" ? reasons : [],
    version: VERSION,
    uptime_s: Math.round((nowMs - view.startedAtMs) / 1000),
    sources: sources.map((s) => ({
      name: s.source,
      path: s.path,
      offset: s.offset,
      lag_bytes: s.lagBytes,
      last_line_at: s.lastLineAtMs ? new Date(s.lastLineAtMs).toISOString() : null,
      exists: s.exists,
      rotations: s.rotations,
      truncations: s.truncations,
    })),
    rules: {
      loaded: rules.rules.length,
      files: rules.files,
      last_reload: rules.lastReload,
      last_error: rules.lastError,
      disabled: disabledRules.map((d) => ({
        id: d.rule.id,
        at: `${d.rule.file}:${d.rule.line}`,
        since: new Date(d.atMs).toISOString(),
        reason: `an event from ${d.event.source} took more than ${d.budgetMs} ms`,
      })),
    },
    incidents_open: open,
    checks,
    notifier: { queued: stats.queued, sent: stats.sent, failed: stats.failed, dropped: stats.dropped },
    heartbeat: view.getHeartbeat(),
    remediation: view.executor.getLoad(),
    journal: {
      path: view.journal.path,
      ok: journalOk,
      unwritten: backlog.unwritten,
      failing_since: backlog.failingSinceMs !== null ? new Date(backlog.failingSinceMs).toISOString() : null,
      last_error: backlog.lastError,
    },
    pipeline,
  };
}

/** `/health/ready`: sources followed, rules loaded, journal written since its last failure. */
export function checkReadiness(view: EngineStatusView): Readiness {
  const problems: string[] = [];
  const state = view.getState();
  const sourcesOpen = state === "running" && view.areSourcesOpen();
  if (!sourcesOpen) problems.push(`sources not open (engine ${state})`);
  const rulesLoaded = view.getRulesStatus().rules.length > 0;
  if (!rulesLoaded) problems.push("no rules loaded");
  const { failingSinceMs } = view.journal.getBacklog();
  const journalWritable = failingSinceMs === null;
  if (!journalWritable) problems.push(`journal ${view.journal.path} not writable since ${new Date(failingSinceMs).toISOString()}`);
  return { ready: problems.length === 0, problems, sources_open: sourcesOpen, rules_loaded: rulesLoaded, journal_writable: journalWritable };
}

/** What the dashboard reads: the engine's state, with the config's secrets masked in any text. */
export function createDashboardSource(view: EngineStatusView, changes$: Observable<unknown>): DashboardSource {
  return {
    getHealth: () => buildHealthReport(view),
    listOpenIncidents: () => view.manager.listOpen(),
    listJournal: () => view.journal.getElements(),
    listRuleIds: () => view.getRulesStatus().rules.map((r) => r.id),
    getRuleHits: async () => Object.fromEntries((await view.metrics.ruleMatches.get()).values.map((v) => [String(v.labels.rule), v.value])),
    listCheckRuns: (fromMs) => view.getCheckHistory()?.list(fromMs) ?? [],
    getNotifierFailure: () => view.notifier.getStats().lastFailure,
    listUnknownTemplates: () => view.unknownErrors.list(),
    changes$,
    redactText: (text) => view.redactText(text),
  };
}
