import { loadCliConfig, pickConsoleLevel } from "./load-cli-config.js";
import { startDaemon } from "./run-daemon.js";
import { readLinesFromStream } from "../sources/index.js";
import { UsageError } from "./main.js";

/** `vigia run`: the daemon until SIGINT/SIGTERM; exit 0 on a clean stop, 1 when the journal could not be written. */
export async function runDaemonCommand(values: Record<string, unknown>): Promise<number> {
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const level = pickConsoleLevel(values, loaded.config.logLevel);
  // Standard input is read as one of the configured sources: its multiline setting groups the lines (a traceback is
  // one event, as in the file) and its name is the incidents' fuente.
  const stdinSource = typeof values["source"] === "string" ? values["source"] : loaded.config.sources[0]?.name ?? "stdin";
  if (typeof values["source"] === "string") {
    if (!values["stdin"]) throw new UsageError("--source names the source standard input feeds: it goes with --stdin");
    if (!loaded.config.sources.some((s) => s.name === stdinSource)) throw new UsageError(`--source: no source named '${stdinSource}' in the config`);
  }
  const run = await startDaemon(loaded, level, {
    dryRun: Boolean(values["dry-run"]),
    fromStart: Boolean(values["from-start"]),
  });
  // At the end of standard input the remediations the log asked for are finished before stopping: a one-shot run
  // leaves the folders created and the journal telling how each incident ended. A dry run has nothing to finish.
  if (values["stdin"]) {
    const finishRemediation = !values["dry-run"];
    void readLinesFromStream(process.stdin, stdinSource, (lines) => run.engine.ingest(lines)).then(() => run.requestStop("end of stdin", { finishRemediation }));
  }
  const report = await run.stopped;
  return report.journalWritten ? 0 : 1;
}
