import { resolve } from "node:path";
import type { SuperviseConfig } from "../config/index.js";
import { PYTHON_LOG_START, SOURCE_DEFAULTS } from "../config/defaults.js";
import { superviseChild, type SupervisedChild } from "../sources/supervise-child.js";
import { loadCliConfig, pickConsoleLevel } from "./load-cli-config.js";
import { startDaemon } from "./run-daemon.js";
import { createFullDiskPause, type FullDiskPause } from "./pause-on-full-disk.js";
import { UsageError } from "./main.js";

/** Grace between forwarding a stop signal to the children and killing them. */
const STOP_GRACE_MS = 10_000;

/**
 * `vigia supervise -- CMD ARGS…`: starts CMD and vigia together. CMD's output is written to its log file and fed
 * straight into the pipeline (no tail delay); Ctrl+C/SIGTERM is forwarded; the exit code is the main child's.
 */
export async function runSuperviseCommand(values: Record<string, unknown>, rest: string[]): Promise<number> {
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const config = loaded.config;
  let specs: SuperviseConfig[];
  if (rest.length > 0) {
    const name = typeof values["name"] === "string" ? values["name"] : config.sources[0]?.name ?? "bot";
    const source = config.sources.find((s) => s.name === name);
    const logPath = typeof values["log"] === "string" ? resolve(values["log"]) : source?.path ?? resolve(config.logDir, `${name}.log`);
    specs = [{ name, command: rest, cwd: process.cwd(), env: {}, logPath, restart: "never", maxRestarts: 3, restartBackoffMs: [1000, 2000, 4000] }];
  } else if (config.supervise.length > 0) {
    specs = config.supervise;
  } else {
    throw new UsageError("no command: give one after `--`, or configure `supervise:`");
  }
  let children: SupervisedChild[] = [];
  // Built before the daemon: the disk check's first result may arrive while it starts. `run` is bound right after.
  let run: Awaited<ReturnType<typeof startDaemon>> | null = null;
  const fullDisk: FullDiskPause | null = config.checks.disk?.stopSupervised
    ? createFullDiskPause({
        getChildren: () => children,
        graceMs: STOP_GRACE_MS,
        logger: { info: (m) => run?.logger.info(m), warn: (m) => run?.logger.warn(m) },
        note: (checkId, accion, message) => run?.engine.noteCheckIncident(checkId, accion, message),
      })
    : null;
  run = await startDaemon(
    loaded,
    pickConsoleLevel(values, config.logLevel),
    {
      dryRun: Boolean(values["dry-run"]),
      skipSourcePaths: specs.map((s) => s.logPath),
      onCheckTransition: (t) => fullDisk?.handleTransition(t),
    },
    true,
  );
  if (run.earlySignal) {
    // Stopped before anything was started: start nothing.
    run.requestStop(run.earlySignal);
    await run.stopped;
    return 128 + (run.earlySignal === "SIGINT" ? 2 : 15);
  }
  const startPatterns = new Map(config.sources.filter((s) => s.multiline).map((s) => [s.name, s.multiline!.start]));
  children = specs.map((spec) =>
    superviseChild(spec, {
      timestampPattern: startPatterns.get(spec.name) ?? new RegExp(PYTHON_LOG_START),
      maxLineBytes: config.sources.find((s) => s.name === spec.name)?.maxLineBytes ?? SOURCE_DEFAULTS.max_line_bytes,
      onLines: (lines) => run.engine.ingest(lines),
      onCrash: (message) => run.engine.reportProcessDown(spec.name, message),
      onRestarted: (motivo, message) => run.engine.reportProcessUp(spec.name, motivo, message),
      onGaveUp: (motivo, message) => run.engine.reportProcessGaveUp(spec.name, motivo, message),
      logger: run.logger,
      startPaused: fullDisk?.isFull() ?? false,
    }),
  );
  // A signal stops the children first (forwarded, then killed after the grace), then the engine.
  let stopRequested = false;
  let finishingRemediation = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (finishingRemediation) {
      // The children are gone; vigia is finishing the remediations they asked for: stop without waiting.
      run.requestStop(signal);
      return;
    }
    if (stopRequested) {
      // A second Ctrl+C: no more waiting for the children.
      run.logger.warn(`${signal} again: killing the children now`);
      for (const c of children) void c.stop("SIGKILL", 0);
      return;
    }
    stopRequested = true;
    run.logger.info(`${signal}: forwarding to ${children.length} child process(es)`);
    void Promise.all(children.map((c) => c.stop(signal, STOP_GRACE_MS))).then(() => run.requestStop(signal));
  };
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => stopAll("SIGINT"));
  process.on("SIGTERM", () => stopAll("SIGTERM"));
  const main = children[0]!;
  const exitCode = await main.finished;
  if (!stopRequested) {
    stopRequested = true;
    run.logger.info(`${specs[0]!.name} exited with code ${exitCode}: stopping`);
    await Promise.all(children.slice(1).map((c) => c.stop("SIGTERM", STOP_GRACE_MS)));
    // What the bot's last lines asked for is finished first (a dry run has nothing to finish).
    finishingRemediation = !values["dry-run"];
    run.requestStop("child exit", { finishRemediation: finishingRemediation });
  }
  await run.stopped;
  return exitCode;
}
