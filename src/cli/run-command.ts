import { loadCliConfig, pickConsoleLevel } from "./load-cli-config.js";
import { startDaemon } from "./run-daemon.js";
import { readLinesFromStream } from "../sources/index.js";

/** `vigia run`: the daemon until SIGINT/SIGTERM; exit 0 on a clean stop, 1 when the journal could not be written. */
export async function runDaemonCommand(values: Record<string, unknown>): Promise<number> {
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const level = pickConsoleLevel(values, loaded.config.logLevel);
  const run = await startDaemon(loaded, level, {
    dryRun: Boolean(values["dry-run"]),
    fromStart: Boolean(values["from-start"]),
  });
  if (values["stdin"]) {
    void readLinesFromStream(process.stdin, "stdin", (lines) => run.engine.ingest(lines)).then(() => run.requestStop("end of stdin"));
  }
  const report = await run.stopped;
  return report.journalWritten ? 0 : 1;
}
