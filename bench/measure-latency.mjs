// Detection latency: a writer appends to the followed log of a running engine; each matching record's model folder
// (`lat-000123`) is unique, so its append time (writer), incident `opened` time (engine, changes$) and first appearance in the
// journal file (seen here, by watching the file) pair up. All times are CLOCK_MONOTONIC ms.
import { readFileSync, statSync, watch, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { resetWorkspaceState } from "./measure-catch-up.mjs";
import { NODE_FLAGS, withNodeEnv } from "./ensure-build.mjs";
import { parseLastJsonLine, runChild } from "./run-child.mjs";

const ENGINE_CHILD = fileURLToPath(new URL("./engine-child.mjs", import.meta.url));
const WRITER = fileURLToPath(new URL("./latency-writer.mjs", import.meta.url));
const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Value at quantile q (0..1) of sorted numbers (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** p50/p95/p99/max/count of a list of ms. */
export function summarizeMs(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const r = (v) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: sorted.length, p50: r(quantile(sorted, 0.5)), p95: r(quantile(sorted, 0.95)), p99: r(quantile(sorted, 0.99)), max: r(sorted.at(-1) ?? null) };
}

/** The latency writer's model names (`lat-000123`) as the journal holds them, pretty or compact. */
const LAT_MODEL = /"modelo": ?"(lat-[^"]*)"/g;

/**
 * Records when each `lat-*` model first appears in the journal. The journal is replaced by rename (atomic write),
 * so the folder is watched; a 10 ms stat poll backs the watch up (inotify events can coalesce). Each version is
 * searched for the model names, not parsed: parsing a journal of megabytes on every write would take this process
 * tens of milliseconds each time, on the cores the engine is measured on (the torture tests check the JSON).
 */
function watchJournal(journalPath) {
  const seenAtMs = {};
  let lastStamp = "";
  const look = () => {
    let stamp;
    try {
      const st = statSync(journalPath);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return;
    }
    if (stamp === lastStamp) return;
    lastStamp = stamp;
    const at = monoMs();
    let text;
    try {
      text = readFileSync(journalPath, "latin1");
    } catch {
      lastStamp = ""; // read while being replaced: look again
      return;
    }
    // The history holds no `lat-` model: the search starts at the first one.
    const first = text.indexOf('"lat-');
    if (first === -1) return;
    LAT_MODEL.lastIndex = Math.max(0, first - 12);
    for (let m = LAT_MODEL.exec(text); m !== null; m = LAT_MODEL.exec(text)) seenAtMs[m[1]] ??= at;
  };
  const watcher = watch(dirname(journalPath), () => look());
  const poll = setInterval(look, 10);
  return {
    seenAtMs,
    stop() {
      watcher.close();
      clearInterval(poll);
      look();
    },
  };
}

/**
 * Runs the engine in follow mode on the workspace, appends `seconds` × `rate` records (every `matchEvery`-th
 * matching), and pairs the times. `prepare(ws)` runs on the reset workspace before the engine starts; with
 * `profileDir` the engine runs under `--cpu-prof` and writes its profile there; `prefix` names the records' folders
 * (the writer's --prefix). Resolves { command, toIncident, toJournal, idleFlush: {toIncident, toJournal}, lost,
 * writer: {lines, matches, seconds}, engine: {linesRead, …} }.
 */
export async function measureLatency(ws, { rate = 1000, seconds = 10, matchEvery = 50, prepare = null, profileDir = null, prefix = "lat-" } = {}) {
  resetWorkspaceState(ws);
  prepare?.(ws); // e.g. a journal with a long history, before the engine loads it
  writeFileSync(ws.logPath, "");
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  const nodeArgs = [...NODE_FLAGS, ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])];
  const engine = runChild(process.execPath, [...nodeArgs, ENGINE_CHILD, "follow", ws.dir], {
    env: withNodeEnv(),
    stdin: "pipe",
    onStdout: (text) => {
      if (text.includes("ready")) ready();
    },
  });
  const engineExit = engine.done.then((r) => {
    ready();
    return r;
  });
  await isReady;
  if (engine.child.exitCode !== null) throw new Error(`engine child exited early: ${(await engineExit).stderr.slice(-2000)}`);
  const journal = watchJournal(ws.journalPath);
  const writerArgs = ["--rate", String(rate), "--seconds", String(seconds), "--match-every", String(matchEvery), "--prefix", prefix];
  const writer = await runChild(process.execPath, [WRITER, ws.logPath, ...writerArgs]).done;
  if (writer.code !== 0) throw new Error(`latency writer failed: ${writer.stderr.slice(-2000)}`);
  const written = parseLastJsonLine(writer.stdout);
  // Stragglers: the last record waits for the idle flush, then the coalesced journal write.
  const deadline = monoMs() + 3000;
  // Only this run's records count: the journal may hold an earlier run's (named apart, see `prefix`).
  const seenOfThisRun = () => Object.keys(written.appended).filter((video) => journal.seenAtMs[video] !== undefined).length;
  while (monoMs() < deadline && seenOfThisRun() < written.matches) await new Promise((r) => setTimeout(r, 20));
  engine.child.stdin.write("stop\n");
  const engineResult = await engineExit;
  journal.stop();
  if (engineResult.code !== 0) throw new Error(`engine child failed: ${engineResult.stderr.slice(-2000)}`);
  const detected = parseLastJsonLine(engineResult.stdout);

  const pause = new Set(written.beforePause);
  const lat = { steady: { inc: [], jour: [], incJour: [] }, pause: { inc: [], jour: [], incJour: [] } };
  let lost = 0;
  for (const [video, appendedMs] of Object.entries(written.appended)) {
    const bucket = pause.has(video) ? lat.pause : lat.steady;
    const openedMs = detected.openedAtMs[video];
    const journalMs = journal.seenAtMs[video];
    if (openedMs === undefined) lost++;
    else bucket.inc.push(openedMs - appendedMs);
    if (journalMs !== undefined) bucket.jour.push(journalMs - appendedMs);
    if (journalMs !== undefined && openedMs !== undefined) bucket.incJour.push(journalMs - openedMs);
  }
  return {
    command: `node bench/engine-child.mjs follow WORKSPACE, and node bench/latency-writer.mjs FILE ${writerArgs.join(" ")}`,
    rate,
    seconds,
    writer: { lines: written.lines, matches: written.matches, seconds: written.seconds },
    engine: { changes: detected.changes, linesRead: detected.linesRead, events: detected.events, matches: detected.matches, peakRssBytes: detected.peakRssBytes },
    toIncident: summarizeMs(lat.steady.inc),
    toJournal: summarizeMs(lat.steady.jour),
    // The journal's own share: the incident opened in the engine → its first version on disk that holds it.
    incidentToJournal: summarizeMs(lat.steady.incJour),
    idleFlush: { toIncident: summarizeMs(lat.pause.inc), toJournal: summarizeMs(lat.pause.jour) },
    lost,
  };
}
