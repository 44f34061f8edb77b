import { Heartbeat } from "../notify/heartbeat.js";
import { EMPTY, ignoreElements, lastValueFrom, merge, Subject, type Observable, type Subscription } from "rxjs";
import { dirname, join, relative } from "node:path";
import type { VigiaConfig } from "../config/types.js";
import { ConfigError, listConfigSecrets } from "../config/index.js";
import { DEFAULTS } from "../config/defaults.js";
import { CheckpointStore, recoverCheckpoints, createFileSources, planOpenFiles, readOpenFileLimit, type FileSources } from "../sources/index.js";
import { groupMultiline, type MultilineOperator } from "../events/group-multiline.js";
import { createSplitTracebackFinder, describeSplitTraceback } from "../events/find-split-tracebacks.js";
import { createSecretMasker } from "../util/mask-secrets.js";
import type { LoadRulesResult } from "../rules/load-rules.js";
import { RuleLoader } from "../rules/rule-loader.js";
import { RuleMatchWorker, type DisabledRule } from "../rules/rule-match-worker.js";
import { toRuleSource } from "../rules/rule-source.js";
import { readRuleFilesStamp } from "../rules/read-rule-files-stamp.js";
import { watchRules, type RulesWatcher } from "../rules/watch-rules.js";
import { IncidentManager, type IncidentChange } from "../incidents/incident-manager.js";
import { FoldBacklog } from "../incidents/fold-into-incidents.js";
import { JournalWriter } from "../incidents/journal-writer.js";
import { listRecordedPositions } from "../incidents/list-recorded-positions.js";
import { SessionTally } from "../incidents/session-tally.js";
import { CatchUpRanges } from "../incidents/catch-up-ranges.js";
import { createExecutor, type Executor } from "../remediation/index.js";
import { Notifier, formatSessionSummary, toAlertTelegramSettings, type SessionSummary } from "../notify/index.js";
import { createCheckScheduler, createLineActivity, type CheckScheduler, type CheckTransition, type LineActivity } from "../checks/index.js";
import { createMetrics, type VigiaMetrics } from "../observe/metrics.js";
import { initialiseCheckSeries, recordCheckResult } from "../observe/record-check-metrics.js";
import { recordIncidentMetrics, trackHeldIncidents, trackOpenIncidents } from "../observe/record-incident-metrics.js";
import { recordJournalWrite } from "../observe/record-journal-metrics.js";
import { createDeliveryRecorder, trackNotifierQueues } from "../observe/record-notifier-metrics.js";
import { createRemediationRecorder, trackRemediationLoad } from "../observe/record-remediation-metrics.js";
import { recordRuleMatches, recordRulesLoaded } from "../observe/record-rule-metrics.js";
import { recordTailerEvent } from "../observe/record-tailer-event.js";
import { logIncidentChanges } from "../observe/log-incident-changes.js";
import { initialiseSourceSeries, recordEvents, recordLinesRead, trackSourceLag } from "../observe/record-source-metrics.js";
import { createStatusServer, type StatusServer } from "../observe/status-server.js";
import type { HealthReport, Readiness } from "../observe/health-report.js";
import { PipelineWatch, type StageCount } from "../observe/pipeline-watch.js";
import { buildHealthReport, checkReadiness, createDashboardSource, type EngineStatusView } from "../observe/engine-status.js";
import { CheckHistory } from "../observe/check-history.js";
import { createDashboardRoutes } from "../observe/dashboard/dashboard-routes.js";
import type { VigiaLogger } from "../observe/logger.js";
import { describeError, describeFsErrorEs } from "../util/describe-error.js";
import { formatProblem } from "../util/problems.js";
import type { CheckResult, CompiledRule, Incident, SourceLine } from "../types.js";
import { buildChecksFromConfig } from "./build-checks-from-config.js";
import { fromCheckResult, fromCheckTransition, type CheckIncidentContext } from "./check-incidents.js";
import type { IncidentInput } from "../incidents/incident-input.js";
import { buildConfigTemplateValues } from "./config-template-values.js";
import { composePipeline } from "./compose-pipeline.js";
import { remediateIncidents } from "./remediate-incidents.js";
import { createOutageKeys, type OutageKeys } from "./outage-keys.js";
import { reportVigiaFault, resolveVigiaFault } from "./report-vigia-fault.js";
import { UnknownErrorStore } from "../discover/unknown-error-store.js";
import { collectUnknownErrors } from "../discover/collect-unknown-errors.js";
import { formatNewErrorMessage } from "../discover/format-new-error-message.js";
import { ERROR_EVENT_HINT } from "../discover/mask-template.js";
import { AdminCommands } from "../notify/commands/admin-commands.js";

/**
 * Open incidents past which the files' readers wait for remediation to close some. A catch-up can read a backlog
 * faster than remediation settles its incidents (attempts run `remediation.concurrency` at a time; their backoffs
 * and resolve_on windows are on the log's time), and each open one costs memory (its record, the journal's copy,
 * its remediation job); about 20 KB each, measured on a 1 GiB catch-up. With remediation on the log's time, what
 * stays open is what the log holds open in its own time (a few per second of log), so the bound costs no throughput
 * (256 MB catch-up: peak RSS 478 MB with 1 000 against 774 MB with 5 000), and changes no outcome: incident time
 * stands still while the readers wait. Followed live, a bot never has this many open at once.
 */
const MAX_OPEN_INCIDENTS_WHILE_READING = 1000;

/**
 * Matched batches waiting for the incident stage past which the readers wait: during a catch-up a batch may wait
 * there for its log time (the remediation due before its lines), and the batches behind it wait with it.
 */
const MAX_BATCHES_WAITING_TO_FOLD = 16;

/** How a daemon run differs from the config. */
export interface EngineOptions {
  config: VigiaConfig;
  logger: VigiaLogger;
  /** Forces remediation.dry_run. */
  dryRun?: boolean;
  /** First sight of a file reads its existing content (default: its end). */
  fromStart?: boolean;
  /** Follow the configured files (default true); off for `supervise`-only or stdin runs. */
  tailFiles?: boolean;
  /** Run periodic checks (default true). */
  runChecks?: boolean;
  /** Serve /health and /metrics (default true, when `status.listen` is set). */
  serveStatus?: boolean;
  /** Configured sources not to tail: their lines arrive through `ingest()` (a supervised child's log). */
  skipSourcePaths?: readonly string[];
  /** Interval of checkpoint saves (default 1000 ms). */
  checkpointEveryMs?: number;
  /** Open incidents past which a catch-up's readers wait (default MAX_OPEN_INCIDENTS_WHILE_READING); for tests. */
  maxOpenIncidentsWhileReading?: number;
  /** Every edge of a periodic check, after the incident flow took it (`supervise` stops its child on a full disk). */
  onCheckTransition?: (transition: CheckTransition) => void;
  /**
   * Called once during start, when rules, journal and /health are up and each file followed knows where it reads
   * from, before that first read: start resolves after it, and a backlog's takes minutes.
   */
  onReading?: () => void;
}

export interface StopOptions {
  /**
   * Run the remediations already started or waiting (retries, incidents waiting for an outage's fix) to their end
   * before stopping, until this signal aborts; without it they are cancelled and taken up at the next start. For a
   * one-shot run whose input has ended.
   */
  finishRemediation?: AbortSignal;
  /** Called once that wait is over (ended or cut short), before the rest of the stop. */
  onRemediationFinished?: () => void;
}

/** What a stopped engine did this session. */
export interface SessionReport {
  summary: SessionSummary;
  /** The session's incidents still held at stop (open, or closed within their cooldown); `summary.counts` counts all. */
  incidents: Incident[];
  linesRead: number;
  events: number;
  matches: number;
  /** False when the final journal write failed: incidents of this session are missing from the file. */
  journalWritten: boolean;
}

/**
 * The daemon: builds the stages from the config, composes them (`composePipeline`: lines → events → matches →
 * incident changes, checks folded into the same changes), subscribes the journal, log, notifier, metrics and
 * executor to the changes, and owns the start and stop order (stop: sources first, so nothing new arrives; journal
 * and checkpoints last).
 */
export class Engine {
  readonly config: VigiaConfig;
  readonly metrics: VigiaMetrics;
  readonly manager: IncidentManager;
  readonly journal: JournalWriter;
  private readonly logger: VigiaLogger;
  private readonly options: EngineOptions;
  private readonly lines$ = new Subject<SourceLine[]>();
  /** Verdicts from outside the log, folded into incidents beside the matched lines. */
  private readonly checkInputs$ = new Subject<IncidentInput>();
  private readonly grouper: MultilineOperator;
  /** Tells once per source declared without `multiline` that its lines hold Python tracebacks. */
  private readonly findSplitTracebacks: (lines: readonly SourceLine[]) => void;
  /** Masks configured secrets and credential-shaped text (the dashboard's texts; lines are masked by the matching worker). */
  private readonly maskLineText: (text: string) => string;
  private readonly activity: LineActivity = createLineActivity();
  private readonly executor: Executor;
  private readonly notifier: Notifier;
  /** The admin's silences and Telegram commands. */
  private readonly admin: AdminCommands;
  /** Error events no rule claims, by template (`desconocidos.json` beside the journal). */
  readonly unknownErrors: UnknownErrorStore;
  private rulesResult: LoadRulesResult = { rules: [], problems: [], files: [] };
  private rulesById = new Map<string, CompiledRule>();
  private readonly matchWorker: RuleMatchWorker;
  private readonly ruleLoader = new RuleLoader();
  /** Every decision of the incident manager, as the composed pipeline emits it (set at start). */
  private changes$: Observable<IncidentChange> = EMPTY;
  /** The composed pipeline's stage counters (set at start). */
  private countStages: () => StageCount[] = () => [];
  /** What the incident stage has taken in and not handled yet (set at start). */
  private foldBacklog = new FoldBacklog();
  private readingInterrupted = false;
  /** Per file, the first offset of an event a stop dropped from the grouper (the rest of it unread): read again. */
  private leftAtStop = new Map<string, number>();
  /** Resolves once the last event has gone through matching into the manager (after `lines$` completes). */
  private pipelineDone: Promise<void> = Promise.resolve();
  private rulesLastReload: string | null = null;
  private rulesLastError: string | null = null;
  private checkpoints: CheckpointStore | null = null;
  private fileSources: FileSources | null = null;
  private maxOpenFiles: number | undefined;
  private rulesWatcher: RulesWatcher | null = null;
  private scheduler: CheckScheduler | null = null;
  private statusServer: StatusServer | null = null;
  private heartbeat: Heartbeat | null = null;
  /** Set when a stage of the composed pipeline threw (a bug): /health says so and the heartbeat stops. */
  private pipelineFailure: string | null = null;
  private checkHistory: CheckHistory | null = null;
  /** Something the dashboard shows changed outside the incident stream (a check ran, rules reloaded). */
  private readonly shownStateChanged$ = new Subject<void>();
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** Woken each time every input of the incident stage has been folded. */
  private foldIdleWaiters: Array<() => void> = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly session: SessionTally;
  /** The bytes of the files followed that are a catch-up: their incidents are timed on the log's own clock. */
  private readonly catchUpRanges = new CatchUpRanges();
  private readonly startedAtMs = Date.now();
  private state: "created" | "running" | "stopping" | "stopped" = "created";
  private journalFaultOpen = false;
  private readonly disabledRuleIds = new Set<string>();
  private counts = { lines: 0, events: 0, matches: 0 };
  /** `{config.NAME}` values for action and verify templates. */
  private readonly configValues: Record<string, string>;
  private readonly outageKeys: OutageKeys;
  /** The stages as `/health`, `/health/ready` and the dashboard read them. */
  private readonly statusView: EngineStatusView;

  constructor(options: EngineOptions) {
    this.options = options;
    this.config = options.config;
    this.logger = options.logger;
    const secrets = listConfigSecrets(this.config);
    for (const secret of secrets) this.logger.addSecret(secret);
    this.maskLineText = createSecretMasker(secrets).maskText;
    this.metrics = createMetrics();
    const startPatterns = new Map<string, RegExp>();
    let flushIdleMs: number | undefined;
    for (const s of this.config.sources) {
      if (s.multiline) {
        startPatterns.set(s.name, s.multiline.start);
        flushIdleMs = Math.min(flushIdleMs ?? Infinity, s.multiline.flushIdleMs);
      }
    }
    // A traceback cut by a chunk boundary while reading waits (a catch-up held back by the matcher) is not idle: its
    // last lines are on disk, so its event waits for them instead of splitting in two.
    // The files behind are listed once per idle flush (which asks for each pending event), not once per question.
    let behind: Set<string> | null = null;
    const isBehind = (fileId: string): boolean => {
      if (behind === null) {
        behind = new Set(this.getSourceStats().flatMap((s) => (s.fileId !== null && s.lagBytes > 0 ? [s.fileId] : [])));
        queueMicrotask(() => (behind = null));
      }
      return behind.has(fileId);
    };
    this.grouper = groupMultiline({ startPatterns, flushIdleMs, isBehind });
    const withoutMultiline = this.config.sources.filter((s) => !s.multiline).map((s) => s.name);
    this.findSplitTracebacks = createSplitTracebackFinder(withoutMultiline, (header) => {
      const where = header.offset >= 0 ? `${relative(process.cwd(), header.file) || header.file} (byte ${header.offset})` : header.file;
      this.logger.warn(describeSplitTraceback(header.source, where));
    });
    this.matchWorker = new RuleMatchWorker({
      budgetMs: this.config.matchBudgetMs,
      onRuleDisabled: (d) => this.onRuleDisabled(d),
      onWorkerError: (e) => this.logger.error(`rules: matching worker failed, restarted: ${e.message}`),
      // Of the unmatched events, the unknown-error store wants the errors; the lines that may close a held incident
      // are the worker's to see (the manager tells it their keys, onResolverWatch).
      forward: [ERROR_EVENT_HINT],
      // Masked in the worker before the rules see them: what it hands back (matches, unknown errors) is masked.
      maskSecrets: secrets,
    });
    const r = this.config.remediation;
    this.manager = new IncidentManager({
      defaultMaxIntentos: r.maxRetries,
      maxReopen: r.maxReopen,
      dryRun: options.dryRun || r.dryRun,
      catchUpRanges: this.catchUpRanges,
      onResolverWatch: (ruleId, key, watched) => this.matchWorker.watchResolver(ruleId, key, watched),
    });
    this.session = new SessionTally((id) => this.manager.isHeld(id));
    this.journal = new JournalWriter(this.config.journalPath, {
      onWarning: (w) => this.logger.warn(`journal: ${w.message}`),
      onError: (error) => this.onJournalWriteFailed(error),
      onRecovered: () => this.onJournalRecovered(),
      onWrite: (write) => recordJournalWrite(this.metrics, write),
      archive: this.config.journalArchive,
      isHeld: (id) => this.manager.isHeld(id),
      onArchive: (e) => this.logger.log(e.kind === "archive_failed" ? "error" : "info", `journal: ${e.message}`),
    });
    this.executor = createExecutor({
      allowedRoots: r.allowedRoots,
      baseDir: this.config.baseDir,
      owner: r.owner,
      sudo: r.sudo,
      quarantineDir: r.quarantineDir,
      actionTimeoutMs: r.actionTimeoutMs,
      concurrency: r.concurrency,
      maxRetries: r.maxRetries,
      backoffMs: r.backoffMs,
      dryRun: options.dryRun || r.dryRun,
      logger: this.logger,
      observer: createRemediationRecorder(this.metrics),
      retryClock: this.manager.incidentClock,
    });
    this.manager.setRemediationProbe({
      anyAtWork: () => this.executor.isAtWork(),
      isAtWork: (id) => this.executor.isAtWork(id),
      settled: (id) => this.executor.whenSettled(id),
    });
    this.configValues = buildConfigTemplateValues(this.config);
    this.outageKeys = createOutageKeys(this.config.checks, { baseDir: this.config.baseDir, downloadRoot: r.allowedRoots[0] ?? null });
    const tg = this.config.notify.telegram;
    this.admin = new AdminCommands({ telegram: tg, silencesPath: join(dirname(this.config.journalPath), "silencios.json"), dryRun: Boolean(options.dryRun || r.dryRun), logger: this.logger });
    this.notifier = new Notifier({
      telegram: toAlertTelegramSettings(tg),
      webhook: this.config.notify.webhook,
      email: this.config.notify.email,
      maxPerMinute: this.config.notify.maxPerMinute,
      logger: this.logger,
      onDelivery: createDeliveryRecorder(this.metrics),
      ...this.admin.notifierHooks,
    });
    const sourceNames = this.config.sources.map((s) => s.name);
    initialiseSourceSeries(this.metrics, sourceNames);
    trackSourceLag(this.metrics, sourceNames, () => this.getSourceStats());
    trackNotifierQueues(this.metrics, () => this.notifier.getQueuedByChannel());
    trackOpenIncidents(this.metrics, () => this.manager.listOpen());
    trackHeldIncidents(this.metrics, this.manager);
    trackRemediationLoad(this.metrics, () => this.getRemediationLoad());
    this.unknownErrors = new UnknownErrorStore({
      path: join(dirname(this.config.journalPath), "desconocidos.json"),
      alertAfter: this.config.notify.newErrorAfter,
      alertWithinMs: this.config.notify.newErrorWithinMs,
      onAlert: (alert) => {
        this.logger.warn(`unknown error template ${alert.template.id} seen ${alert.count} times: ${alert.template.plantilla}`);
        this.notifier.notifyText(`desconocido:${alert.template.id}`, formatNewErrorMessage(alert), `new error template ${alert.template.id}`);
      },
      onError: (error) => this.logger.warn(`unknown errors file: ${describeError(error)}`),
    });
    this.statusView = {
      getState: () => this.state,
      startedAtMs: this.startedAtMs,
      areSourcesOpen: () => this.options.tailFiles === false || this.fileSources !== null || this.config.sources.length === 0,
      getSourceStats: () => this.getSourceStats(),
      getRulesStatus: () => ({ rules: this.rulesResult.rules, files: this.rulesResult.files.length, lastReload: this.rulesLastReload, lastError: this.rulesLastError }),
      getCheckResults: () => this.scheduler?.getLastResults() ?? [],
      getHeartbeat: () => this.heartbeat?.getState(),
      getPipelineFailure: () => this.pipelineFailure,
      getCheckHistory: () => this.checkHistory,
      manager: this.manager,
      journal: this.journal,
      notifier: this.notifier,
      executor: this.executor,
      matchWorker: this.matchWorker,
      unknownErrors: this.unknownErrors,
      metrics: this.metrics,
      countStages: () => this.countStages(),
      pipelineWatch: new PipelineWatch(this.config.notify.heartbeat?.stuckAfterMs ?? DEFAULTS.notify.heartbeat_stuck_after * 1000),
      redactText: this.maskLineText,
    };
  }

  /** Rules in force, in match order. */
  get rules(): readonly CompiledRule[] {
    return this.rulesResult.rules;
  }

  /** Loads rules and journal, connects the stages, starts sources, checks and the status server. */
  async start(): Promise<void> {
    const cfg = this.config;
    // Before anything opens a file: a limit too low for the configuration is said now, not as EMFILE later.
    const openFiles = planOpenFiles(cfg.tailing.maxOpenFiles, readOpenFileLimit());
    if (!openFiles.ok) {
      const problem = { file: cfg.configFile ?? "(built-in defaults)", line: 0, field: "tailing.max_open_files", message: openFiles.message };
      throw new ConfigError([problem], [], cfg.configFile, null);
    }
    this.maxOpenFiles = openFiles.maxOpenFiles;
    const rulesStamp = readRuleFilesStamp(cfg.rulePaths);
    // Loading and the ReDoS check run in a worker thread, here and at every reload: a big rule file takes
    // seconds to check, and the main thread must keep tailing, journaling and answering /health meanwhile.
    this.applyRules(await this.ruleLoader.load(toRuleSource(cfg.rulePaths)), "start");
    for (const p of this.rulesResult.problems) this.logger.error(`rules: ${formatProblem(p)}`);

    const loaded = await this.journal.load();
    await this.unknownErrors.load();
    await this.admin.start(this);
    const { matched$, changes$, countStages, foldBacklog } = composePipeline(this.lines$, this.checkInputs$, {
      countLines: (lines) => {
        this.countLines(lines);
        this.findSplitTracebacks(lines);
      },
      grouper: this.grouper,
      countEvents: (events) => {
        this.counts.events += events.length;
        recordEvents(this.metrics, events);
      },
      matchWorker: this.matchWorker,
      outageKeys: this.outageKeys,
      askCheck: (checkId) => void this.scheduler?.runCheck(checkId),
      manager: this.manager,
      onFoldIdle: () => this.onFoldIdle(),
      onError: (error) => {
        this.pipelineFailure = describeError(error);
        this.logger.error(`pipeline stopped, lines are no longer matched until vigia restarts: ${error.stack ?? error.message}`);
      },
    });
    this.changes$ = changes$;
    this.countStages = countStages;
    this.foldBacklog = foldBacklog;
    if (this.readingInterrupted) foldBacklog.leave();
    // Done once the last batch is matched and folded (a catch-up's last batch may still wait for its log time), or
    // left by a stop.
    this.pipelineDone = lastValueFrom(matched$.pipe(ignoreElements()), { defaultValue: undefined }).then(async () => {
      while (this.countFolding().batches > 0 && !foldBacklog.isLeft()) await this.nextFoldIdle();
    });
    this.subscriptions.push(
      matched$.pipe(collectUnknownErrors(this.unknownErrors)).subscribe(() => this.shownStateChanged$.next()),
      recordRuleMatches(matched$, this.metrics),
      matched$.subscribe((batch) => (this.counts.matches += batch.matches.length)),
      this.journal.follow(changes$),
      changes$.subscribe((change) => this.session.observe(change)),
      logIncidentChanges(changes$, this.logger),
      this.notifier.follow(changes$),
      recordIncidentMetrics(changes$, this.metrics),
      remediateIncidents(changes$, { executor: this.executor, manager: this.manager, configValues: this.configValues, outageKeys: this.outageKeys, logger: this.logger }),
    );
    const seed = this.manager.seed(loaded.elements, this.rulesResult.rules);
    if (seed.resumed + seed.waiting + seed.orphaned > 0) {
      this.logger.info(`journal: resumed ${seed.resumed} open incident(s), ${seed.waiting} waiting, ${seed.orphaned} orphaned`);
    }
    if (seed.dryRunDiscarded > 0) {
      this.logger.info(`journal: ${seed.dryRunDiscarded} incident(s) left open by a --dry-run session closed without running anything`);
    }

    this.rulesWatcher = watchRules({
      from: toRuleSource(cfg.rulePaths),
      load: (from, options) => this.ruleLoader.load(from, options),
      onRules: (result) => this.applyRules(result, "reload"),
      onProblems: (problems) => {
        this.metrics.ruleReloads.inc({ outcome: "failed" });
        this.rulesLastError = problems.map(formatProblem).join("; ");
        this.shownStateChanged$.next();
        for (const p of problems) this.logger.error(`rules: ${formatProblem(p)} (keeping the last good rules)`);
      },
    });
    // Edits made before the watch is in place would be missed for good: wait for it, then catch up if needed.
    await this.rulesWatcher.ready;
    if (readRuleFilesStamp(cfg.rulePaths) !== rulesStamp) this.rulesWatcher.reload();

    // /health answers before the tailers start: their first read may be a backlog of minutes, and its lag is
    // what an operator wants to see meanwhile.
    if (this.options.serveStatus !== false && cfg.status) await this.startStatusServer();
    if (this.options.tailFiles !== false) await this.startTailers(loaded.elements, () => this.options.onReading?.());
    else this.options.onReading?.();
    if (this.options.runChecks !== false) {
      await this.openCheckHistory();
      this.startChecks();
    }
    const every = this.options.checkpointEveryMs ?? 1000;
    this.checkpointTimer = setInterval(() => {
      this.resumeIncidentTimeIfCaughtUp();
      void this.saveCheckpoints();
    }, every);
    this.checkpointTimer.unref();
    this.state = "running";
    const beat = cfg.notify.heartbeat;
    if (beat) {
      this.heartbeat = new Heartbeat({ ...beat, getHealth: () => this.getHealth(), logger: this.logger });
      this.heartbeat.start();
    }
  }

  /** Feeds lines from a non-file source (a supervised child, stdin) into the pipeline. */
  ingest(lines: SourceLine[]): void {
    if (lines.length === 0 || this.state === "stopped") return;
    this.lines$.next(lines);
  }

  /** Reports a failure that no log line shows (a supervised child crashed) as a check-style incident; `motivo` in Spanish. */
  reportProcessDown(name: string, motivo: string): void {
    const message = `process ${name} exited`;
    const result: CheckResult = { check: `process:${name}`, kind: "process", ok: false, severity: "critical", errorType: "proceso_caido", message, motivo, durationMs: 0, fields: { proceso: name }, atMs: Date.now() };
    this.feedIncidents(fromCheckTransition({ check: `process:${name}`, state: "down", result }, this.checkContext));
  }

  /** Closes the incident opened by `reportProcessDown` as fallido: the process stays down and needs a human. */
  reportProcessGaveUp(name: string, detalle: string, message: string): void {
    this.feedIncidents([{ type: "close", key: `check:process:${name}`, estado: "fallido", accion: "no reiniciado", detalle, message }]);
  }

  /** Closes the incident opened by `reportProcessDown` once the process runs again. */
  reportProcessUp(name: string, detalle: string, message: string): void {
    this.feedIncidents([{ type: "close", key: `check:process:${name}`, estado: "solucionado", accion: "reiniciado", detalle, message }]);
  }

  /** Records a step taken outside the incident flow (the bot stopped for a full disk) on the open incident of a check. */
  noteCheckIncident(checkId: string, accion: string, message: string): void {
    this.feedIncidents([{ type: "note", key: this.outageKeys.keyOfCheck(checkId), accion, detalle: null, message }]);
  }

  /** Source file states, for the banner and /health. */
  getSourceStats() {
    return this.fileSources?.getStats() ?? [];
  }

  /** Remediation jobs running and waiting for a slot now. */
  getRemediationLoad(): { running: number; queued: number } {
    return this.executor.getLoad();
  }

  /** The address the status server listens on, once started. */
  getStatusAddress(): { host: string; port: number } | null {
    return this.statusServer?.address() ?? null;
  }

  /** After a stop's pipeline has ended: which files' lines it left for the next start (read from the checkpoints). */
  private sayWhatIsLeft(): void {
    const left = this.getSourceStats().flatMap((st) => {
      if (st.fileId === null) return [];
      const from = minDefined(this.foldBacklog.getPendingOffset(st.fileId), this.leftAtStop.get(st.fileId));
      if (from === undefined && st.lagBytes === 0) return [];
      return [`${relative(process.cwd(), st.path) || st.path} from byte ${from ?? st.offset}`];
    });
    if (left.length > 0) this.logger.info(`stop: lines not handled yet are left for the next start, which reads them again: ${left.join(", ")}`);
  }

  /**
   * Ends the files' reads under way after their current chunk and releases the readers' waits: a stop requested
   * while `start` still reads a backlog (minutes on a big `--from-start`) follows at once, instead of after the
   * backlog. What is left unread stays behind the checkpoints, for the next start.
   */
  interruptReading(): void {
    this.readingInterrupted = true;
    this.fileSources?.interrupt();
    this.foldBacklog.leave();
    this.manager.releaseRoomWaiters();
  }

  /** Graceful stop: sources, pending events, executor, notifier, then journal and checkpoints. */
  async stop(options: StopOptions = {}): Promise<SessionReport> {
    if (this.state === "stopping" || this.state === "stopped") throw new Error("engine already stopping");
    this.state = "stopping";
    // A catch-up's batch waiting for its log time (remediation due before its lines) is not waited for, nor what
    // is behind it: those lines stay behind the checkpoints and are read again at the next start. A one-shot run
    // whose input has ended (finishRemediation) handles them all.
    if (!options.finishRemediation) this.foldBacklog.leave();
    this.manager.releaseRoomWaiters();
    await this.heartbeat?.stop();
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.scheduler?.stop();
    await this.admin.stop();
    await this.fileSources?.stop();
    await this.rulesWatcher?.close();
    await this.ruleLoader.close();
    // An event of a file whose next bytes a stop left unread may go on in them: it is read again, not cut.
    this.leftAtStop = this.grouper.flush();
    this.lines$.complete();
    await this.pipelineDone;
    this.sayWhatIsLeft();
    // Nothing more comes: a catch-up's last waits run on with the wall clock (finishRemediation waits for them),
    // unless lines were left: their incidents' waits stay on the log's time, for the next start.
    if (!this.foldBacklog.isLeft()) this.manager.resumeIncidentTime();
    await this.matchWorker.close();
    if (options.finishRemediation) await this.finishRemediation(options.finishRemediation);
    options.onRemediationFinished?.();
    await this.executor.stop();
    this.manager.shutdown();
    const incidents = this.session.listHeld();
    const summary = formatSessionSummary({ counts: this.session.getCounts(), startedAtMs: this.startedAtMs, endedAtMs: Date.now() });
    this.notifier.sendSessionSummary(summary);
    await this.notifier.close({ timeoutMs: 5000 });
    await this.unknownErrors.flush();
    // A journal that cannot be written must not hold the stop: the incidents are not lost as long as the
    // checkpoints stay behind them, so those are then left as they are and the next start reads the lines again.
    const journalWritten = await this.journal.close().then(
      () => true,
      (error: unknown) => {
        this.logger.error(`journal: final write failed: ${describeError(error)}; ${this.describeJournalRecovery()}`);
        return false;
      },
    );
    if (journalWritten) await this.checkpoints?.save().catch((e: Error) => this.logger.error(`checkpoints: ${e.message}`));
    await this.checkHistory?.flush();
    await this.statusServer?.stop();
    for (const s of this.subscriptions) s.unsubscribe();
    this.state = "stopped";
    return { summary, incidents, linesRead: this.counts.lines, events: this.counts.events, matches: this.counts.matches, journalWritten };
  }

  /**
   * Waits until no remediation is running or waiting for its next attempt (a fix that closes an outage releases the
   * incidents that waited for it: those run too), unless `signal` aborts first.
   */
  private async finishRemediation(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    for (let said = false; !signal.aborted; ) {
      const { running, queued } = this.executor.getLoad();
      if (running + queued === 0) return;
      if (!said) this.logger.info(`waiting for ${running + queued} remediation(s) to finish before stopping (stop again to stop now)`);
      said = true;
      await Promise.race([this.executor.drain(), aborted]);
      // Let the last step's transition reach its subscribers (an outage's end submits the incidents that waited).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Last-resort synchronous save for `process.on("exit")`: journal and checkpoints. */
  flushSync(): void {
    try {
      this.journal.flushSync();
    } catch (error) {
      this.logger.error(`final flush: journal: ${describeError(error)}; ${this.describeJournalRecovery()}`);
      return;
    }
    try {
      this.checkpoints?.saveSync();
    } catch (error) {
      this.logger.error(`final flush: checkpoints: ${describeError(error)}`);
    }
  }

  /** The /health document. */
  getHealth(): HealthReport {
    return buildHealthReport(this.statusView);
  }

  /** `/health/ready`: sources followed, rules loaded, journal written since its last failure. */
  getReadiness(): Readiness {
    return checkReadiness(this.statusView);
  }

  private async openCheckHistory(): Promise<void> {
    const days = this.config.checks.historyDays;
    if (days <= 0) return;
    this.checkHistory = await CheckHistory.open({
      dir: join(this.config.stateDir, "checks"),
      retentionDays: days,
      onError: (e) => this.logger.warn(`check history: ${describeError(e)}`),
    });
  }

  /** First failure of a series: log it and alert; later ones only at verbose (the writer retries with backoff). */
  private onJournalWriteFailed(error: unknown): void {
    const backlog = this.journal.getBacklog();
    const first = this.journalFaultOpen === false;
    this.logger.log(first ? "error" : "verbose", `journal: write failed: ${describeError(error)}; ${backlog.unwritten} incident(s) not on disk, retrying`);
    if (!first || this.state === "stopped") return;
    this.journalFaultOpen = true;
    const fault = {
      name: "journal",
      errorType: "diario_no_escribible",
      motivo: `no se puede escribir el diario ${this.journal.path}: ${describeFsErrorEs(error) ?? "error desconocido"}. Los incidentes siguen en memoria y se reintenta; si vigia se detiene antes, se recuperan al arrancar (los puntos de control no avanzan).`,
      fields: { diario: this.journal.path },
    };
    this.feedIncidents(reportVigiaFault(fault, this.checkContext));
  }

  private onJournalRecovered(): void {
    this.logger.info(`journal: writable again (${this.journal.path})`);
    if (!this.journalFaultOpen) return;
    this.journalFaultOpen = false;
    this.feedIncidents([resolveVigiaFault("journal", "el diario vuelve a escribirse", "the journal is written again")]);
  }

  /** Where the incidents a failed journal write left out can be recovered from, for the log. */
  private describeJournalRecovery(): string {
    const { unwritten } = this.journal.getBacklog();
    const where = this.checkpoints ? `${this.config.stateDir}/checkpoints.json` : "the checkpoints";
    return `${unwritten} incident change(s) are not in ${this.journal.path}; checkpoints (${where}) were not advanced past them, so the next start reads those lines again and records them once the journal can be written`;
  }

  private applyRules(result: LoadRulesResult, why: "start" | "reload"): void {
    this.rulesResult = result;
    this.rulesById = new Map(result.rules.map((r) => [r.id, r]));
    this.matchWorker.setRules(result.rules);
    // A disabled rule comes back when its file is fixed: its alert closes then.
    const stillDisabled = new Set(this.matchWorker.listDisabled().map((d) => d.rule.id));
    for (const id of this.disabledRuleIds) {
      if (stillDisabled.has(id)) continue;
      this.disabledRuleIds.delete(id);
      this.feedIncidents([resolveVigiaFault(`rule:${id}`, "regla corregida y recargada", "rule fixed and reloaded")]);
    }
    this.rulesLastReload = new Date().toISOString();
    recordRulesLoaded(this.metrics, result.rules);
    this.shownStateChanged$.next();
    if (why === "reload") {
      this.rulesLastError = null;
      this.metrics.ruleReloads.inc({ outcome: "ok" });
      this.logger.info(`rules reloaded: ${result.rules.length} rule(s) from ${result.files.length} file(s)`);
    }
  }

  /** A rule held one event past the budget: it is off until the rules are reloaded with it changed. */
  private onRuleDisabled({ rule, event, budgetMs }: DisabledRule): void {
    this.disabledRuleIds.add(rule.id);
    this.logger.error(
      `rules: rule ${rule.id} (${rule.file}:${rule.line}) disabled: one event from ${event.source} kept it busy for more than ${budgetMs} ms (a regex that backtracks without end?); the event went on through the other rules`,
    );
    const fault = {
      name: `rule:${rule.id}`,
      errorType: "regla_desactivada",
      motivo: `regla ${rule.id} desactivada: una línea de ${event.source} la tuvo ocupada más de ${budgetMs} ms (${rule.file}:${rule.line}). Las demás reglas siguen; se reactiva al corregirla en el fichero de reglas.`,
      fields: { regla: rule.id, fichero: `${rule.file}:${rule.line}` },
    };
    this.feedIncidents(reportVigiaFault(fault, this.checkContext));
  }

  private countLines(lines: SourceLine[]): void {
    const last = lines[lines.length - 1];
    if (!last) return;
    this.counts.lines += lines.length;
    recordLinesRead(this.metrics, lines);
    this.activity.noteLine(last.source, last.readAtMs);
  }

  /**
   * Readers wait between reads while the matching worker is full, while batches wait for the incident stage, or
   * while too many incidents are open — until nothing read is left to handle: during a catch-up an open incident's
   * wait ends only as later lines are handled, so then the readers go on.
   */
  private async waitForCapacity(): Promise<void> {
    await this.matchWorker.waitForCapacity();
    while (this.countFolding().batches > MAX_BATCHES_WAITING_TO_FOLD && !this.foldBacklog.isLeft()) await this.nextFoldIdle();
    const maxOpen = this.options.maxOpenIncidentsWhileReading ?? MAX_OPEN_INCIDENTS_WHILE_READING;
    while (!this.manager.hasRoom(maxOpen)) {
      const { batches, events } = this.countFolding();
      if (batches > 0 || events > 0) {
        await Promise.race([this.manager.waitForRoom(maxOpen), this.nextFoldIdle()]);
        continue;
      }
      const settled = this.executor.whenSettled();
      if (settled === null) return;
      await settled;
    }
  }

  /** Events in the matching worker, and inputs (batches, check verdicts) not yet folded into incidents. */
  private countFolding(): { events: number; batches: number } {
    const stages = this.countStages();
    const match = stages.find((s) => s.stage === "match");
    const fold = stages.find((s) => s.stage === "fold");
    return { events: match ? match.in - match.out : 0, batches: fold ? fold.in - fold.out : 0 };
  }

  private nextFoldIdle(): Promise<void> {
    return new Promise((wake) => this.foldIdleWaiters.push(wake));
  }

  private onFoldIdle(): void {
    const waiters = this.foldIdleWaiters;
    this.foldIdleWaiters = [];
    for (const wake of waiters) wake();
    this.resumeIncidentTimeIfCaughtUp();
  }

  /**
   * A catch-up read to its end, every line through matching and folded: its incident time runs on with the wall
   * clock (the last incidents' waits end), until a catch-up line comes again.
   */
  private resumeIncidentTimeIfCaughtUp(): void {
    if (this.manager.getLagMs() === 0) return;
    const { events, batches } = this.countFolding();
    if (events > 0 || batches > 0) return;
    for (const s of this.getSourceStats()) {
      if (s.lagBytes > 0) return;
      if (s.fileId !== null && (this.grouper.getPendingOffset(s.fileId) !== undefined || this.matchWorker.getPendingOffset(s.fileId) !== undefined)) return;
    }
    this.manager.resumeIncidentTime();
  }

  /** Starts following the files; `onPositioned` once each knows where it reads from, before their first read. */
  private async startTailers(journalElements: readonly unknown[], onPositioned: () => void): Promise<void> {
    this.checkpoints = await CheckpointStore.load(this.config.stateDir, {
      onEvent: (e: { type: string; detail?: string }) => this.logger.warn(`checkpoints: ${e.type}${e.detail ? `: ${e.detail}` : ""}`),
    });
    if (this.checkpoints.corruptFileMovedTo) await this.recoverCheckpointsFromJournal(this.checkpoints, journalElements);
    const skip = new Set(this.options.skipSourcePaths ?? []);
    const specs = this.config.sources
      .filter((s) => !skip.has(s.path))
      .map((s) => ({ source: s.name, path: s.path, startAt: this.options.fromStart ? "beginning" as const : s.startAt, maxLineBytes: s.maxLineBytes }));
    this.fileSources = createFileSources(specs, {
      checkpoints: this.checkpoints,
      maxOpenFiles: this.maxOpenFiles,
      onLines: (lines) => {
        this.catchUpRanges.noteBatch(lines, (fileId) => this.fileSources?.getStats().find((s) => s.fileId === fileId)?.size ?? null);
        this.lines$.next(lines);
      },
      onEvent: (e) => recordTailerEvent(e, this.metrics, this.logger),
      // A line counts as processed once its incident can reach the journal: handled by the incident stage.
      getPendingOffset: (fileId) =>
        minDefined(
          minDefined(minDefined(this.grouper.getPendingOffset(fileId), this.matchWorker.getPendingOffset(fileId)), this.foldBacklog.getPendingOffset(fileId)),
          this.leftAtStop.get(fileId),
        ),
      waitForCapacity: () => this.waitForCapacity(),
    });
    if (this.readingInterrupted) this.fileSources.interrupt();
    await this.fileSources.start(onPositioned);
    const followed = this.fileSources.tailers.length;
    if (this.maxOpenFiles !== undefined && followed > this.maxOpenFiles) {
      this.logger.info(`sources: ${followed} files followed, at most ${this.maxOpenFiles} held open (tailing.max_open_files): idle ones are closed and reopened on change`);
    }
  }

  /**
   * A corrupt checkpoint file must not skip what the bot wrote while vigia was down: each file resumes just after
   * the last event the journal recorded in it (`posicion`). Files with no journaled position start as configured.
   */
  private async recoverCheckpointsFromJournal(store: CheckpointStore, journalElements: readonly unknown[]): Promise<void> {
    const recovered = await recoverCheckpoints(listRecordedPositions(journalElements));
    store.restore(recovered);
    const resumed = [...recovered].map(([path, c]) => `${path} at offset ${c.files[0]?.offset}`);
    this.logger.warn(
      resumed.length > 0
        ? `checkpoints: resuming from the journal's positions: ${resumed.join(", ")}; other files start as configured`
        : "checkpoints: the journal records no position in the files followed: they start as configured",
    );
  }

  /** What check verdicts need to become incident inputs: the loaded rules, the keys shared with log rules. */
  private readonly checkContext: CheckIncidentContext = {
    findRule: (id) => this.rulesById.get(id),
    keyOf: (checkId) => this.outageKeys.keyOfCheck(checkId),
  };

  /** Hands verdicts from outside the log (checks, a supervised process, vigia's own faults) to the incident fold. */
  private feedIncidents(inputs: readonly IncidentInput[]): void {
    for (const input of inputs) this.checkInputs$.next(input);
  }

  private startChecks(): void {
    const dryRun = Boolean(this.options.dryRun || this.config.remediation.dryRun);
    const checks = buildChecksFromConfig(this.config.checks, this.activity, { dryRun });
    if (checks.length === 0) return;
    initialiseCheckSeries(this.metrics, checks);
    this.scheduler = createCheckScheduler({
      checks,
      intervalMs: this.config.checks.intervalMs,
      flap: this.config.checks.flap ?? undefined,
      onResult: (result: CheckResult) => {
        recordCheckResult(this.metrics, result);
        this.feedIncidents(fromCheckResult(result, this.checkContext));
        this.checkHistory?.record(result);
        this.shownStateChanged$.next();
      },
      onTransition: (t) => {
        this.logger.info(`check ${t.check}: ${t.state} — ${t.result.message}`);
        this.feedIncidents(fromCheckTransition(t, this.checkContext));
        this.options.onCheckTransition?.(t);
      },
      onError: (error, checkId) => this.logger.error(`check ${checkId}: ${describeError(error)}`),
    });
    this.scheduler.start();
  }

  private async startStatusServer(): Promise<void> {
    const status = this.config.status!;
    const server = createStatusServer({
      listen: { host: status.host, port: status.port },
      token: status.token,
      getHealth: () => this.getHealth(),
      getReadiness: () => this.getReadiness(),
      registry: this.metrics.registry,
      routes: createDashboardRoutes(createDashboardSource(this.statusView, merge(this.changes$, this.shownStateChanged$)), { onError: (e) => this.logger.error(`dashboard: ${describeError(e)}`) }),
      onError: (e, path) => this.logger.error(`status server ${path}: ${describeError(e)}`),
    });
    try {
      await server.start();
      this.statusServer = server;
    } catch (error) {
      this.logger.error(`status server not started: ${(error as Error).message}`);
    }
  }

  private async saveCheckpoints(): Promise<void> {
    if (!this.checkpoints) return;
    try {
      // The journal first: a checkpoint must never claim lines whose incidents are not on disk yet.
      await this.journal.flush();
      await this.checkpoints.save();
    } catch (error) {
      this.logger.error(`checkpoints: ${(error as Error).message}`);
    }
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
