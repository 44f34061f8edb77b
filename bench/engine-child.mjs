// The engine under test, alone in its own process (so its RSS and CPU profile are its own), driven by run-bench.mjs.
//
//   node bench/engine-child.mjs catchup DIR   reads DIR's log from the start (tailer → multiline → rules → incidents →
//                                              journal, actions in dry-run) until every byte is read, then stops
//                                              gracefully; prints one JSON line of figures.
//   node bench/engine-child.mjs follow DIR    follows DIR's log from its end; prints "ready", then records when each
//                                              incident is opened; on "stop" (stdin) or SIGTERM prints one JSON line.
//
// Times are CLOCK_MONOTONIC (process.hrtime), in ms: the same clock in every process of the machine, so the writer's
// append times and this process's detection times compare directly.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import { DIST } from "./ensure-build.mjs";

const [mode, dir] = process.argv.slice(2);
if ((mode !== "catchup" && mode !== "follow") || !dir) {
  process.stderr.write("usage: node bench/engine-child.mjs catchup|follow DIR\n");
  process.exit(2);
}

const { loadConfig } = await import(pathToFileURL(join(DIST, "config", "index.js")).href);
const { Engine } = await import(pathToFileURL(join(DIST, "engine", "engine.js")).href);
const { createLogger } = await import(pathToFileURL(join(DIST, "observe", "logger.js")).href);
const { listArchiveFiles } = await import(pathToFileURL(join(DIST, "incidents", "archive-files.js")).href);
// As `vigia run` does (a build from before it set no such limit).
if (existsSync(join(DIST, "cli", "limit-heap-growth.js"))) (await import(pathToFileURL(join(DIST, "cli", "limit-heap-growth.js")).href)).limitHeapGrowth();

/** Monotonic ms, comparable across processes. */
const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Peak RSS of this process so far (VmHWM), in bytes; maxRSS of resourceUsage where /proc is missing. */
function readPeakRssBytes() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS * 1024;
}

const startedMs = monoMs();
// The environment stays out: a TELEGRAM_TOKEN of the machine must not turn notifications on mid-benchmark.
const { config } = await loadConfig({ cwd: dir, env: {} });
const logger = createLogger({ logDir: config.logDir, auditDir: config.stateDir, consoleLevel: "error" });
const engine = new Engine({ config, logger, dryRun: true, fromStart: mode === "catchup", runChecks: false, serveStatus: false });

const changes = { opened: 0, folded: 0, transition: 0, counted: 0, skipped: 0, warning: 0 };
const warnings = [];

/**
 * The journal's archives beside it (`descarga_errors-YYYY-MM.json`): a backlog older than `journal_archive.keep_days`
 * moves most of its closed incidents there, so the live file alone is not the journal's size.
 */
async function readArchives(journalPath) {
  const files = await listArchiveFiles(journalPath);
  let elements = 0;
  let bytes = 0;
  for (const { path } of files) {
    elements += JSON.parse(readFileSync(path, "utf8")).length;
    bytes += statSync(path).size;
  }
  return { files: files.length, elements, bytes };
}

/** Matches per rule from the engine's own counter (vigia_rule_matches_total). */
async function readMatchesByRule() {
  const out = {};
  for (const v of (await engine.metrics.ruleMatches.get()).values) out[v.labels.rule] = v.value;
  return out;
}
/** Model folder (campos.modelo, unique per matching record of the latency writer) → monotonic ms of `opened`. */
const openedAtMs = {};
engine.manager.changes$.subscribe((change) => {
  changes[change.type] = (changes[change.type] ?? 0) + 1;
  if (change.type === "opened" && change.reason === "reopened") changes.reopened = (changes.reopened ?? 0) + 1;
  if (change.type === "warning" && warnings.length < 5) warnings.push(change.message);
  if (mode === "follow" && change.type === "opened") {
    const id = change.incident.campos?.modelo;
    if (id) openedAtMs[id] = monoMs();
  }
});

/** CPU time (user + system, ms) of the main thread alone, from /proc/self/task/<pid>/stat; null where /proc is missing. */
function readMainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/**
 * Where the resident memory is, from /proc/self/smaps (kB summed per kind of mapping, in bytes): the node binary's
 * own pages, glibc's main heap (`[heap]`: the main thread's malloc arena), anonymous mappings (V8's heap pages of
 * every isolate, the other threads' malloc arenas, stacks) and other files (libraries); null where /proc is missing.
 */
function readMemoryMap() {
  let text;
  try {
    text = readFileSync("/proc/self/smaps", "utf8");
  } catch {
    return null;
  }
  const kinds = { nodeBinary: 0, mallocHeap: 0, anonymous: 0, files: 0 };
  let kind = "anonymous";
  for (const line of text.split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1];
      kind = name === process.execPath ? "nodeBinary" : name === "[heap]" ? "mallocHeap" : name === "" || name.startsWith("[") ? "anonymous" : "files";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds[kind] += Number(rss[1]) * 1024;
  }
  return kinds;
}

/**
 * RSS after `seconds` without input: what a caught-up vigia keeps while it waits for the next line, with the main
 * thread's heap and the buffers outside it, and the incidents still open by rule and state. BENCH_HEAP_SNAPSHOT=FILE
 * also writes the main thread's heap snapshot then.
 */
async function measureIdleRss(seconds) {
  if (!(seconds > 0)) return null;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const open = {};
  for (const incident of engine.manager.listOpen()) {
    const name = `${incident.error_type} ${incident.estado}`;
    open[name] = (open[name] ?? 0) + 1;
  }
  if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
  return {
    seconds,
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    heapTotalBytes: heapTotal,
    externalBytes: external,
    arrayBuffersBytes: arrayBuffers,
    memoryMap: readMemoryMap(),
    held: engine.manager.getSizes(),
    open,
    remediation: engine.getRemediationLoad(),
  };
}

const rssSamples = [];
const sampleRss = () => {
  const stats = engine.getSourceStats()[0];
  const sizes = engine.manager.getSizes();
  rssSamples.push({
    atMs: Math.round(monoMs() - startedMs),
    bytesRead: stats?.bytesRead ?? 0,
    rssBytes: process.memoryUsage.rss(),
    held: sizes.incidents,
    open: sizes.open,
    journalLive: engine.journal.getStats().elements,
  });
};

const sampler = mode === "catchup" ? setInterval(sampleRss, 100) : null;
const startedEngineMs = monoMs();
// CPU of the whole process (every thread) and the main thread's busy time: on a loaded machine the wall time
// includes waiting for a core, these do not.
const cpuAtStart = process.cpuUsage();
const mainCpuAtStart = readMainThreadCpuMs();
const eluAtStart = performance.eventLoopUtilization();
// start() already reads what is due: with --from-start, the whole file is caught up inside it.
await engine.start();

if (mode === "catchup") {
  const size = statSync(join(dir, "logs", "bot_central.log")).size;
  await new Promise((resolve) => {
    const poll = setInterval(() => {
      const stats = engine.getSourceStats()[0];
      if (stats && stats.size >= size && stats.lagBytes === 0) {
        clearInterval(poll);
        resolve();
      }
    }, 2);
  });
  const caughtUpMs = monoMs();
  const cpu = process.cpuUsage(cpuAtStart);
  const elu = performance.eventLoopUtilization(eluAtStart);
  const mainCpuMs = mainCpuAtStart === null ? null : readMainThreadCpuMs() - mainCpuAtStart;
  sampleRss();
  clearInterval(sampler);
  const rssAtEndBytes = process.memoryUsage.rss();
  const peakRssAtCatchUpBytes = readPeakRssBytes();
  // Every line read handled too (grouped, matched, folded into incidents: a catch-up's last batches may wait for
  // the remediation due before them): a stop leaves what is not, for the next start. BENCH_STOP_WHEN_READ=1 stops
  // at once instead, as an operator's Ctrl+C right after the catch-up would.
  if (process.env.BENCH_STOP_WHEN_READ !== "1") await new Promise((resolve) => {
    const poll = setInterval(() => {
      const stages = engine.getHealth().pipeline.stages.filter((s) => s.stage !== "journal");
      if (stages.every((s) => s.waiting === 0)) {
        clearInterval(poll);
        resolve();
      }
    }, 2);
  });
  const handledMs = monoMs();
  const idle = await measureIdleRss(Number(process.env.BENCH_IDLE_SECONDS ?? 0));
  const stoppingMs = monoMs();
  const report = await engine.stop();
  // After the stop: when the last byte is read, the last events may still be on their way through the rules.
  const matchesByRule = await readMatchesByRule();
  const stoppedMs = monoMs();
  await logger.close();
  // Read before this child parses the journal and its archives below (a catch-up's archives hold tens of MB of
  // JSON): that is the bench's memory, not vigia's.
  const peakRssBytes = readPeakRssBytes();
  const journal = JSON.parse(readFileSync(config.journalPath, "utf8"));
  await print({
    mode,
    bytes: size,
    linesRead: report.linesRead,
    events: report.events,
    matches: report.matches,
    incidents: report.summary.counts.total,
    journalElements: journal.length,
    journalBytes: statSync(config.journalPath).size,
    archives: await readArchives(config.journalPath),
    changes,
    warnings,
    matchesByRule,
    startMs: round(startedEngineMs - startedMs),
    catchUpMs: round(caughtUpMs - startedEngineMs),
    catchUpCpuMs: round((cpu.user + cpu.system) / 1000),
    mainThreadBusyMs: round(elu.active),
    mainThreadCpuMs: mainCpuMs === null ? null : round(mainCpuMs),
    handledMs: process.env.BENCH_STOP_WHEN_READ === "1" ? null : round(handledMs - startedEngineMs),
    stopMs: round(stoppedMs - stoppingMs),
    peakRssBytes,
    peakRssAtCatchUpBytes,
    rssAtEndBytes,
    idle,
    rssSamples,
  });
  process.exit(0);
} else {
  process.stdout.write("ready\n");
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const report = await engine.stop();
    await logger.close();
    await print({ mode, linesRead: report.linesRead, events: report.events, matches: report.matches, changes, openedAtMs, peakRssBytes: readPeakRssBytes() });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (text) => {
    if (text.includes("status")) {
      const { heapUsed } = process.memoryUsage();
      const sizes = engine.manager.getSizes();
      print({ status: { heapUsedBytes: heapUsed, opened: changes.opened, held: sizes.incidents, open: sizes.open } });
    }
    if (text.includes("stop")) void stop();
  });
}

/** Writes one JSON line; resolves once it is handed to the pipe (a process.exit right after would cut a long one). */
function print(result) {
  return new Promise((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}
