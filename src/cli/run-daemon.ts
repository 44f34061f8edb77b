import type { LoadedConfig } from "../config/index.js";
import { Engine, type EngineOptions, type SessionReport } from "../engine/engine.js";
import { createLogger, type VigiaLogger } from "../observe/logger.js";
import type { LogLevel } from "../observe/log-level.js";
import { startProgressMeter } from "../observe/progress-meter.js";
import { createStatusLine, type StatusLine } from "../observe/progress-status-line.js";
import { VERSION } from "../version.js";
import { isGlobPattern } from "../sources/index.js";
import { existsSync } from "node:fs";
import { holdEarlySignals, releaseEarlySignals } from "./early-signals.js";
import { limitHeapGrowth } from "./limit-heap-growth.js";
import { relative } from "node:path";

/** Longest a graceful stop may take; the notifier alone may use 5 s of it to deliver the last alerts. */
const STOP_DEADLINE_MS = 30_000;

/** What `run` and `supervise` share: logger, engine, banner, signals, summary. */
export interface DaemonRun {
  engine: Engine;
  logger: VigiaLogger;
  /** Resolves with the session report once a signal (or `requestStop`) has stopped the engine. */
  stopped: Promise<SessionReport>;
  /** Stops the engine; `finishRemediation` lets running and waiting remediations end first (a second stop cuts it short). */
  requestStop(reason: string, options?: { finishRemediation?: boolean }): void;
  /** A stop signal that arrived while starting (already acted on unless `deferEarlySignal`). */
  earlySignal: NodeJS.Signals | null;
}

/** Starts the engine with a file logger, prints the banner and stops gracefully on SIGINT/SIGTERM. */
export async function startDaemon(
  loaded: LoadedConfig,
  consoleLevel: LogLevel,
  engineOptions: Omit<EngineOptions, "config" | "logger">,
  /** The caller handles a signal that arrived during start (supervise must not start its children then). */
  deferEarlySignal = false,
): Promise<DaemonRun> {
  const config = loaded.config;
  limitHeapGrowth();
  // Signals are caught from the first moment: one that arrives while the engine starts stops it right after, and
  // cuts short the backlog's first read (what is left is read at the next start).
  let starting: Engine | null = null;
  holdEarlySignals((signal) => {
    if (!starting) return;
    logger.info(`${signal}: stopping after the read under way (the rest of the backlog is read at the next start)`);
    starting.interruptReading();
  });
  // On a terminal, a backlog being read (a first `--from-start`, a restart after hours down) shows its progress on a
  // status line under the log lines.
  const statusLine = process.stderr.isTTY ? createStatusLine(process.stderr) : null;
  const logger = createLogger({ logDir: config.logDir, auditDir: config.stateDir, consoleLevel, consoleStream: statusLine?.logStream });
  // What vigia runs with is said before the files' first read (a backlog's takes minutes), whatever the catch-up's
  // display holds back.
  let progress: CatchUpProgress | null = null;
  const engine: Engine = new Engine({
    ...engineOptions,
    config,
    logger,
    onReading: () => {
      if (progress) progress.speak(() => printBanner(loaded, engine, logger, engineOptions));
      else printBanner(loaded, engine, logger, engineOptions);
    },
  });
  starting = engine;
  progress = statusLine ? startCatchUpProgress(engine, statusLine, logger, consoleLevel) : null;
  await engine.start();

  let stopping: Promise<SessionReport> | null = null;
  let resolveStopped!: (r: SessionReport) => void;
  let rejectStopped!: (e: unknown) => void;
  const stopped = new Promise<SessionReport>((res, rej) => {
    resolveStopped = res;
    rejectStopped = rej;
  });
  const onExit = () => engine.flushSync();
  process.on("exit", onExit);
  // Stop always stops: whatever step hangs (a stuck filesystem, an action that ignores its signal), the process
  // ends after STOP_DEADLINE_MS with what could be saved. Unref'd: a clean stop exits before it.
  const startStopDeadline = () =>
    setTimeout(() => {
      logger.error(`stop did not finish within ${STOP_DEADLINE_MS / 1000} s: exiting now`);
      engine.flushSync();
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  // While remediations are being finished, the deadline waits: they end by their own timeouts and retries.
  let finishing: AbortController | null = null;
  const requestStop = (reason: string, options: { finishRemediation?: boolean } = {}) => {
    if (finishing && !finishing.signal.aborted) {
      logger.warn(`${reason}: not waiting for the remediations, stopping`);
      finishing.abort();
      return;
    }
    if (stopping) {
      logger.warn(`${reason} again: stopping now`);
      engine.flushSync();
      process.exit(130);
    }
    // The status line ends first: what the stop says is not held back nor drawn over.
    progress?.stop();
    statusLine?.release();
    logger.info(`${reason}: stopping (flushing events, journal and checkpoints)`);
    if (options.finishRemediation) {
      finishing = new AbortController();
      finishing.signal.addEventListener("abort", startStopDeadline, { once: true });
    } else startStopDeadline();
    stopping = engine.stop({ finishRemediation: finishing?.signal, onRemediationFinished: () => finishing?.abort() });
    stopping.then(
      async (report) => {
        process.stdout.write(`${report.summary.text}\n`);
        logger.info(`session: ${report.linesRead} lines, ${report.events} events, ${report.matches} matches, ${report.summary.counts.total} incidents`);
        await logger.close();
        process.off("exit", onExit);
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        resolveStopped(report);
      },
      (error) => rejectStopped(error),
    );
  };
  const onInt = () => requestStop("SIGINT");
  const onTerm = () => requestStop("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const earlySignal = releaseEarlySignals();
  if (earlySignal && !deferEarlySignal) requestStop(earlySignal);
  return { engine, logger, stopped, requestStop, earlySignal };
}

/** The catch-up's display: the meter, and lines said at the console's own level while it holds the rest back. */
interface CatchUpProgress {
  speak(say: () => void): void;
  stop(): void;
}

/**
 * The catch-up progress meter on the status line; `VIGIA_PROGRESS_EVERY_MS` sets its interval (default 1000). While
 * a catch-up is shown, the console prints errors only: a backlog's incidents are thousands of lines a second, which
 * would scroll the status line's figures out of reading. monitor.log keeps every line, and the last line says so;
 * the console's level comes back once caught up, or when vigia stops.
 */
function startCatchUpProgress(engine: Engine, statusLine: StatusLine, logger: VigiaLogger, consoleLevel: LogLevel): CatchUpProgress {
  const everyMs = Number(process.env["VIGIA_PROGRESS_EVERY_MS"]);
  const quiets = consoleLevel !== "error";
  let quiet = false;
  const restore = () => {
    if (quiet) logger.setConsoleLevel(consoleLevel);
    quiet = false;
  };
  const meter = startProgressMeter({
    input: { getSourceStats: () => engine.getSourceStats(), getRemediationLoad: () => engine.getRemediationLoad() },
    show: (text) => {
      if (quiets && !quiet) logger.setConsoleLevel("error");
      quiet = quiets;
      statusLine.show(text);
    },
    finish: (text) => {
      const held = quiet && logger.filePath ? ` · the catch-up's other log lines are in ${relative(process.cwd(), logger.filePath)}` : "";
      restore();
      statusLine.finish(`${text}${held}`);
    },
    everyMs: Number.isFinite(everyMs) && everyMs > 0 ? everyMs : undefined,
  });
  return {
    speak(say) {
      if (quiet) logger.setConsoleLevel(consoleLevel);
      try {
        say();
      } finally {
        if (quiet) logger.setConsoleLevel("error");
      }
    },
    stop: () => {
      meter.stop();
      restore();
    },
  };
}

function printBanner(loaded: LoadedConfig, engine: Engine, logger: VigiaLogger, options: Omit<EngineOptions, "config" | "logger">): void {
  const c = loaded.config;
  const rel = (p: string) => relative(process.cwd(), p) || ".";
  const lines = [`vigia ${VERSION} — config: ${loaded.configFile ? rel(loaded.configFile) : "built-in defaults"}${loaded.envFile ? ` (+ ${rel(loaded.envFile)})` : ""}`];
  if (options.tailFiles !== false) {
    for (const s of c.sources) {
      const state = isGlobPattern(s.path) ? "(every matching file)" : existsSync(s.path) ? "(following)" : "(waiting for the file)";
      lines.push(`  source ${s.name}: ${rel(s.path)} ${state}`);
    }
  }
  const perFile = new Map<string, number>();
  for (const r of engine.rules) perFile.set(r.file, (perFile.get(r.file) ?? 0) + 1);
  if (perFile.size === 0) lines.push("  rules: none loaded (alerts only from checks)");
  for (const [file, n] of perFile) lines.push(`  rules: ${n} from ${rel(file)}`);
  lines.push(`  journal: ${rel(c.journalPath)}`);
  const tg = c.notify.telegram;
  lines.push(`  telegram: ${tg && tg.token && tg.chatId ? `on (chat ${tg.chatId}${tg.apiRoot ? `, api ${tg.apiRoot}` : ""})` : "off (set TELEGRAM_TOKEN and ADMIN_ID)"}`);
  lines.push(`  webhook: ${c.notify.webhook ? "on" : "off"}`);
  const email = c.notify.email;
  lines.push(`  email: ${email ? `on (to ${email.to.join(", ")} through ${email.host}:${email.port})` : "off"}`);
  const heartbeat = c.notify.heartbeat;
  lines.push(`  heartbeat: ${heartbeat ? `on (every ${heartbeat.everyMs / 1000} s to ${new URL(heartbeat.url).host})` : "off"}`);
  const checks = [c.checks.disk && "disk", c.checks.botApi && "bot_api", c.checks.http.length && `http×${c.checks.http.length}`, c.checks.process.length && `process×${c.checks.process.length}`, c.checks.silence.length && `silence×${c.checks.silence.length}`, c.checks.exec.length && `exec×${c.checks.exec.length}`].filter(Boolean);
  lines.push(`  checks: ${options.runChecks === false || checks.length === 0 ? "off" : `${checks.join(", ")} every ${c.checks.intervalMs / 1000} s`}`);
  const addr = engine.getStatusAddress();
  lines.push(`  status: ${addr ? `http://${addr.host}:${addr.port}/health` : "off"}`);
  lines.push(`  remediation: ${options.dryRun || c.remediation.dryRun ? "DRY-RUN (nothing is touched)" : "on"}, roots ${c.remediation.allowedRoots.map(rel).join(", ")}`);
  for (const l of lines) logger.info(l);
}
