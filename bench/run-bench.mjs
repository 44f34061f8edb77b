#!/usr/bin/env node
// vigia's benchmark (`npm run bench`): throughput side by side on one generated bot log (grep -Eic, vigia test-rules,
// vigia's full catch-up, SEC, fail2ban-regex; as lines/s and as ratios to grep), detection latency on a followed
// file, RSS through a large log. Prints figures and which targets are met; never fails the
// build (exit 0 whatever the figures). Options: node bench/run-bench.mjs --help
import { cpus, loadavg, release, totalmem } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { ALL_TEMPLATES, makeSampleContext } from "./bot-log-templates.mjs";
import { DIST, ensureBuild } from "./ensure-build.mjs";
import { formatInt, formatMB, formatMs, formatRatio, formatSeconds, formatTable, formatTarget } from "./format-report.mjs";
import { generateBotLog } from "./generate-bot-log.mjs";
import { measureCatchUp } from "./measure-catch-up.mjs";
import { measureLatency } from "./measure-latency.mjs";
import { measureFail2ban, measureGrep, measureSec } from "./measure-peers.mjs";
import { measureTestRules } from "./measure-test-rules.mjs";
import { createRecordJudge } from "./peer-patterns.mjs";
import { prepareWorkspace } from "./prepare-workspace.mjs";
import { formatCpuSummary, summarizeCpuProfile } from "./summarize-cpu-profile.mjs";

const USAGE = `usage: node bench/run-bench.mjs [options]
  --quick                 CI-size run: 200 000 lines, 5 s of latency, a 64 MB memory log, one round
  --lines N               lines of the throughput log (default 1 000 000; env BENCH_LINES)
  --rounds N              rounds of grep / test-rules / catch-up, back to back (default 3, quick 1): the spread
                          of their ratios is the noise of a shared machine
  --memory-bytes N        size of the memory log (default 1 GiB, quick 64 MiB; env BENCH_MEMORY_BYTES)
  --latency-seconds N     duration of the latency run (default 20, quick 5; env BENCH_LATENCY_SECONDS)
  --rate N                lines/s appended in the latency run (default 1000)
  --videos N              distinct (model, video) pairs errors refer to (default 1000)
  --memory-videos N       the same for the memory log (default 1 000 000: nearly every error a key of its own)
  --memory-error-scale N  error records of the memory log, × the default share (default 2: about 100 000 incidents
                          through 1 GiB)
  --idle-seconds N        after the memory log's catch-up, RSS once vigia has waited N s with nothing to read
                          (default 60, quick 5)
  --seed N                generator seed (default 7)
  --skip-fail2ban, --skip-sec, --skip-latency, --skip-memory
  --profile               run the catch-up once more under --cpu-prof and print where the time goes
  --json FILE             write every figure as JSON too
  --keep                  keep the temp folder (its path is printed)
  --no-build              measure dist/ as it is (default: rebuild when src/ is newer)`;

const TARGETS = { catchUpLinesPerSecond: 1_000_000, testRulesLinesPerSecond: 1_500_000, p99IncidentMs: 20, p99JournalMs: 50, rssBytes: 150 * 1048576, idleRssBytes: 80 * 1048576, rssLogBytes: 1024 ** 3 };

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    lines: { type: "string" },
    rounds: { type: "string" },
    "memory-bytes": { type: "string" },
    "latency-seconds": { type: "string" },
    rate: { type: "string", default: "1000" },
    videos: { type: "string", default: "1000" },
    "memory-videos": { type: "string", default: "1000000" },
    "memory-error-scale": { type: "string", default: "2" },
    "idle-seconds": { type: "string" },
    seed: { type: "string", default: "7" },
    "skip-fail2ban": { type: "boolean", default: false },
    "skip-sec": { type: "boolean", default: false },
    "skip-latency": { type: "boolean", default: false },
    "skip-memory": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const pick = (flag, env, full, quick) => Number(opts[flag] ?? process.env[env] ?? (opts.quick ? quick : full));
const settings = {
  lines: pick("lines", "BENCH_LINES", 1_000_000, 200_000),
  rounds: Math.max(1, pick("rounds", "BENCH_ROUNDS", 3, 1)),
  memoryBytes: pick("memory-bytes", "BENCH_MEMORY_BYTES", 1024 ** 3, 64 * 1048576),
  latencySeconds: pick("latency-seconds", "BENCH_LATENCY_SECONDS", 20, 5),
  rate: Number(opts.rate),
  videos: Number(opts.videos),
  memoryVideos: Number(opts["memory-videos"]),
  memoryErrorScale: Number(opts["memory-error-scale"]),
  idleSeconds: pick("idle-seconds", "BENCH_IDLE_SECONDS", 60, 5),
  seed: Number(opts.seed),
};

const out = (text = "") => process.stdout.write(`${text}\n`);
/** The 1-minute load average now: on a shared machine every figure is read next to it. */
const loadNow = () => loadavg()[0];
/** `load 9.1 → 7.3`: the 1-minute load average when a measurement started and when it ended. */
const formatLoad = (fromLoad, toLoad) => `load ${fromLoad.toFixed(1)} → ${toLoad.toFixed(1)}`;
const step = (text) => process.stderr.write(`… ${text}\n`);
const figures = { settings, machine: describeMachine() };
const root = mkdtempSync(join(tmpdir(), "vigia-bench-"));

try {
  await main();
} catch (error) {
  out(`benchmark aborted: ${error.stack ?? error}`);
} finally {
  if (opts.keep) out(`temp folder kept: ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
// Never fail the build: figures are information, the targets are reported above.
process.exit(0);

async function main() {
  out(`vigia benchmark — ${new Date().toISOString()}`);
  out(`machine: ${figures.machine.cpu} × ${figures.machine.cores}, ${formatMB(totalmem())} RAM, Linux ${release()}, Node ${process.version}`);
  out(`load average (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(2)).join(", ")} on ${figures.machine.cores} cores`);
  if (!opts["no-build"]) out(`dist/: ${ensureBuild()}`);
  const { loadRules } = await import(pathToFileURL(join(DIST, "rules", "load-rules.js")).href);
  const { createRuleMatcher } = await import(pathToFileURL(join(DIST, "rules", "match-rules.js")).href);

  const ws = prepareWorkspace({ parent: root });
  const { rules, problems } = loadRules(join(ws.dir, "rules"));
  if (problems.length > 0) throw new Error(`rules/ has problems: ${JSON.stringify(problems[0])}`);
  const matcher = createRuleMatcher(rules);
  const keyOf = (text) => matcher(toEvent(text))?.key ?? null;

  step(`generating ${formatInt(settings.lines)} lines`);
  const t0 = performance.now();
  const log = generateBotLog({ path: ws.logPath, lines: settings.lines, seed: settings.seed, videos: settings.videos, keyOf });
  const truth = computeTruth(log, rules, matcher);
  out(`log: ${formatInt(log.lines)} lines, ${formatInt(log.events)} records, ${formatMB(log.bytes)} (generated in ${formatSeconds(performance.now() - t0)}); ${formatInt(truth.events)} matching records (${((100 * truth.events) / log.lines).toFixed(2)} % of lines), ${formatInt(log.keys.size)} distinct incident keys`);
  for (const warning of truth.warnings) out(`  note: ${warning}`);
  figures.log = { lines: log.lines, records: log.events, bytes: log.bytes, matchingRecords: truth.events, keys: log.keys.size };

  const rounds = [];
  const throughputLoad = { from: loadNow() };
  for (let round = 1; round <= settings.rounds; round++) {
    const suffix = settings.rounds > 1 ? ` (round ${round}/${settings.rounds})` : "";
    step(`grep${suffix}`);
    const grep = await measureGrep(ws.logPath, rules);
    step(`vigia test-rules${suffix}`);
    const testRules = await measureTestRules(ws);
    step(`vigia catch-up${suffix}`);
    const vigia = await measureCatchUp(ws);
    rounds.push({ grep, testRules, vigia });
  }
  step(opts["skip-sec"] ? "SEC skipped" : "SEC (slow: about 50 000 lines/s)");
  const sec = opts["skip-sec"] ? { skipped: "--skip-sec" } : await measureSec(ws.logPath, join(ws.dir, "sec.conf"));
  step(opts["skip-fail2ban"] ? "fail2ban-regex skipped" : "fail2ban-regex (slow: about 40 000 lines/s)");
  const f2b = opts["skip-fail2ban"] ? { skipped: "--skip-fail2ban" } : await measureFail2ban(ws.logPath, rules);
  throughputLoad.to = loadNow();
  figures.throughput = { rounds: rounds.map((r) => ({ ...r, vigia: withoutSamples(r.vigia) })), sec, fail2ban: f2b, load: throughputLoad };
  const summary = printThroughput(log, truth, rounds, sec, f2b, { ws, load: throughputLoad });
  figures.throughput.summary = summary;

  if (opts.profile) {
    // A second catch-up under the profiler, so the figures above carry no profiling overhead.
    step("vigia catch-up again, under --cpu-prof");
    const profiled = await measureCatchUp(ws, { profileDir: mkdtempSync(join(root, "prof-")) });
    out("");
    out(`Where the catch-up's time goes (node --cpu-prof; ${formatSeconds(profiled.catchUpMs)} under the profiler):`);
    if (profiled.profilePath) out(`Main thread:\n${formatCpuSummary(summarizeCpuProfile(JSON.parse(readFileSync(profiled.profilePath, "utf8"))), 25)}`);
    if (profiled.workerProfilePath) out(`\nMatching worker:\n${formatCpuSummary(summarizeCpuProfile(JSON.parse(readFileSync(profiled.workerProfilePath, "utf8"))), 12)}`);
  }

  let latency = null;
  if (!opts["skip-latency"]) {
    step(`latency: ${settings.latencySeconds} s at ${settings.rate} lines/s`);
    const lws = prepareWorkspace({ parent: root });
    try {
      const load = { from: loadNow() };
      latency = await measureLatency(lws, { rate: settings.rate, seconds: settings.latencySeconds });
      load.to = loadNow();
      figures.latency = { ...latency, load };
      printLatency(latency, load, lws);
    } catch (error) {
      out(`\nlatency: failed: ${error.message}`);
    }
  }

  let memory = null;
  if (!opts["skip-memory"]) {
    step(`memory: generating ${formatMB(settings.memoryBytes)}`);
    const mws = prepareWorkspace({ parent: root });
    const templates = ALL_TEMPLATES.map((t) => (t.rule ? { ...t, weight: t.weight * settings.memoryErrorScale } : t));
    const big = generateBotLog({ path: mws.logPath, lines: Infinity, bytes: settings.memoryBytes, seed: settings.seed + 1, videos: settings.memoryVideos, templates });
    rmSync(ws.dir, { recursive: true, force: true }); // room on small disks
    step(`memory: catch-up of ${formatInt(big.lines)} lines`);
    try {
      const load = { from: loadNow() };
      memory = await measureCatchUp(mws, { idleSeconds: settings.idleSeconds });
      memory.load = { ...load, to: loadNow() };
      memory.logBytes = big.bytes;
      memory.logLines = big.lines;
      figures.memory = withoutSamples(memory);
      figures.memory.rssByProgress = sampleByProgress(memory.rssSamples, big.bytes);
      printMemory(memory, big, mws);
    } catch (error) {
      out(`\nmemory: failed: ${error.message}`);
    }
    rmSync(mws.dir, { recursive: true, force: true });
  }

  printTargets(summary, latency, memory);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(figures, null, 2)}\n`);
}

/** The event the matcher sees for a record written to the file. */
function toEvent(text) {
  return { source: "bot", file: "bench", fileId: "bench", text, lineCount: 1, offset: 0, endOffset: text.length, readAtMs: 0 };
}

/**
 * What each tool must report, from the generator's counts per template and one judged sample of each template:
 * vigia's matches per rule, grep's and fail2ban's matching lines.
 */
function computeTruth(log, rules, matcher) {
  const judge = createRecordJudge(rules, matcher);
  const truth = { events: 0, byRule: {}, grepLines: 0, fail2banLines: 0, secLines: 0, warnings: [] };
  for (const template of ALL_TEMPLATES) {
    const n = log.perTemplate[template.id] ?? 0;
    const j = judge(template.render(makeSampleContext()));
    if ((j.rule ?? undefined) !== template.rule) {
      truth.warnings.push(`template ${template.id} is claimed by ${j.rule ?? "no rule"}, the generator expected ${template.rule ?? "none"} (rules changed?)`);
    }
    if (j.rule) {
      truth.events += n;
      truth.byRule[j.rule] = (truth.byRule[j.rule] ?? 0) + n;
    }
    truth.grepLines += n * j.grepLines;
    truth.fail2banLines += n * j.fail2banLines;
    truth.secLines += n * j.secLines;
  }
  return truth;
}

/** lines/s of `lines` in `ms`, or null. */
function rate(lines, ms) {
  return ms ? lines / (ms / 1000) : null;
}

function median(values) {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/**
 * The side-by-side table (one row per tool, the last round; SEC and fail2ban-regex once), the ratios of every round
 * and their spread, and the counts checked against the truth. Returns the medians the targets are judged on.
 */
function printThroughput(log, truth, rounds, sec, f2b, { ws, load }) {
  const last = rounds.at(-1);
  const grepLps = (r) => (r.grep.skipped ? null : rate(log.lines, r.grep.wallMs));
  const testRulesLps = (r) => (r.testRules.skipped ? null : rate(r.testRules.lines, r.testRules.ownMs));
  const catchUpLps = (r) => rate(r.vigia.linesRead, r.vigia.catchUpMs);
  const medianGrep = median(rounds.map(grepLps));
  const mb = (ms) => (ms ? (log.bytes / 1048576 / (ms / 1000)).toFixed(1) : "");
  const vsGrep = (lps) => formatRatio(lps !== null && medianGrep ? lps / medianGrep : null);
  const header = ["tool (same file)", "time", "lines/s", "× grep", "MB/s", "peak RSS", "counted", "expected", "unit"];
  const rows = [header];
  const skipped = [];
  const row = (name, r, lps, ms, counted, expected, unit) => {
    if (!r.skipped) return [name, formatSeconds(ms), formatInt(lps), vsGrep(lps), mb(ms), formatMB(r.peakRssBytes), formatInt(counted), formatInt(expected), unit];
    skipped.push(`${name.split(",")[0]}: ${r.skipped.split("\n")[0].slice(0, 200)}`);
    return [name, "skipped", "", "", "", "", "", "", ""];
  };
  rows.push(row("grep -Eic, the six patterns (the limit)", last.grep, grepLps(last), last.grep.wallMs, last.grep.matchedLines, truth.grepLines, "lines"));
  rows.push(row("vigia test-rules (rules alone)", last.testRules, testRulesLps(last), last.testRules.ownMs, last.testRules.matched, truth.events, "events"));
  if (!last.testRules.skipped) rows.push(["  same, process wall", formatSeconds(last.testRules.wallMs), formatInt(rate(log.lines, last.testRules.wallMs)), vsGrep(rate(log.lines, last.testRules.wallMs)), mb(last.testRules.wallMs), "", "", "", ""]);
  const v = last.vigia;
  rows.push(row("vigia catch-up (Engine, --from-start, dry-run)", v, catchUpLps(last), v.catchUpMs, v.matches, truth.events, "events"));
  rows.push(["  same, process wall", formatSeconds(v.wallMs), formatInt(rate(log.lines, v.wallMs)), vsGrep(rate(log.lines, v.wallMs)), mb(v.wallMs), "", formatInt(v.incidents), formatInt(log.keys.size), "incidents / keys"]);
  rows.push(row("SEC, 6 Single rules (the seed's patterns)", sec, rate(log.lines, sec.wallMs), sec.wallMs, sec.matchedLines, truth.secLines, "lines"));
  rows.push(row("fail2ban-regex, the six patterns", f2b, rate(log.lines, f2b.wallMs), f2b.wallMs, f2b.matchedLines, truth.fail2banLines, "lines"));
  out("");
  out(`Throughput — one file: ${formatInt(log.lines)} lines, ${formatMB(log.bytes)}${rounds.length > 1 ? ` (table: round ${rounds.length} of ${rounds.length}; × grep against the median grep of the run)` : ""}, ${formatLoad(load.from, load.to)}`);
  out(formatTable(rows));
  for (const line of skipped) out(`skipped: ${line}`);
  out("");
  out(`Commands (FILE = ${ws.logPath}, WORKSPACE = ${ws.dir}; --keep keeps them, --json FILE writes each command out whole):`);
  const commands = [
    ["grep", last.grep],
    ["test-rules", last.testRules],
    ["catch-up", v],
    ["SEC", sec],
    ["fail2ban-regex", f2b],
  ].filter(([, r]) => !r.skipped && r.command);
  out(formatTable(commands.map(([name, r]) => [`  ${name}`, r.command])));
  if (rounds.length > 1) {
    out("");
    out("Rounds (grep, test-rules and catch-up back to back; the spread is the machine's noise):");
    const roundRows = [["round", "grep lines/s", "test-rules lines/s", "× grep", "catch-up lines/s", "× grep"]];
    rounds.forEach((r, i) => {
      const g = grepLps(r);
      const t = testRulesLps(r);
      const c = catchUpLps(r);
      roundRows.push([String(i + 1), formatInt(g), formatInt(t), formatRatio(g && t ? t / g : null), formatInt(c), formatRatio(g ? c / g : null)]);
    });
    const spread = (f) => {
      const values = rounds.map(f).filter((x) => x !== null);
      return `${formatInt(Math.min(...values))}–${formatInt(Math.max(...values))}`;
    };
    const ratioSpread = (f) => {
      const values = rounds.map((r) => (grepLps(r) && f(r) ? f(r) / grepLps(r) : null)).filter((x) => x !== null);
      return values.length ? `${formatRatio(Math.min(...values))}–${formatRatio(Math.max(...values))}` : "–";
    };
    roundRows.push(["min–max", spread(grepLps), spread(testRulesLps), ratioSpread(testRulesLps), spread(catchUpLps), ratioSpread(catchUpLps)]);
    out(formatTable(roundRows));
  }
  const medianTestRules = median(rounds.map(testRulesLps));
  const medianCatchUp = median(rounds.map(catchUpLps));
  const secLps = sec.skipped ? null : rate(log.lines, sec.wallMs);
  const f2bLps = f2b.skipped ? null : rate(log.lines, f2b.wallMs);
  const ratio = (a, b) => (a && b ? a / b : null);
  out("");
  out(`medians: grep ${formatInt(medianGrep)}, test-rules ${formatInt(medianTestRules)} (${formatRatio(ratio(medianTestRules, medianGrep))} grep), catch-up ${formatInt(medianCatchUp)} lines/s (${formatRatio(ratio(medianCatchUp, medianGrep))} grep)`);
  out(`catch-up vs peers: ${formatRatio(ratio(medianCatchUp, secLps))} SEC, ${formatRatio(ratio(medianCatchUp, f2bLps))} fail2ban-regex${f2b.processedSeconds ? ` (fail2ban's own "processed in" ${f2b.processedSeconds} s)` : ""}`);
  out(`vigia catch-up: start ${formatMs(v.startMs)}, ${v.handledMs == null ? "stopped when the last byte was read (BENCH_STOP_WHEN_READ=1)" : `every line handled ${formatMs(v.handledMs - v.catchUpMs)} after the last byte was read`}, then graceful stop ${formatMs(v.stopMs)}; ${formatJournal(v)}; RSS at end of catch-up ${formatMB(v.rssAtEndBytes)}, peak ${formatMB(v.peakRssBytes)}`);
  const c = v.changes ?? {};
  out(`vigia incidents: ${formatInt(c.opened)} opened (${formatInt(c.reopened ?? 0)} of them reopened after a fix that did not hold, up to remediation.max_reopen per key), ${formatInt(c.folded)} repeats folded, ${formatInt(c.transition)} transitions; ${formatInt(log.keys.size)} distinct keys`);
  const byRule = Object.keys(truth.byRule)
    .map((id) => `${id} ${formatInt(v.matchesByRule?.[id] ?? 0)}/${formatInt(truth.byRule[id])}`)
    .join(", ");
  out(`vigia matches by rule (metrics/expected): ${byRule}`);
  out("Why the counts differ: vigia counts events (a traceback is one event, however many of its lines match) and drops");
  out("DEBUG records whole; grep counts every matching line, case-insensitively, without the timeout rule's lookahead or any");
  out("exclusion; fail2ban-regex counts matching lines and ignores only the lines that themselves match the ignoreregex;");
  out("SEC runs the seed's six broad patterns (case-insensitive), so it counts the lines any of those match.");
  out("'expected' is what each tool must report on this file, computed from the generator's per-template counts.");
  const mismatches = [];
  for (const [i, r] of rounds.entries()) {
    const tag = rounds.length > 1 ? ` (round ${i + 1})` : "";
    if (r.vigia.matches !== truth.events) mismatches.push(`catch-up ${r.vigia.matches} ≠ ${truth.events}${tag}`);
    if (!r.testRules.skipped && r.testRules.matched !== truth.events) mismatches.push(`test-rules ${r.testRules.matched} ≠ ${truth.events}${tag}`);
    if (!r.grep.skipped && r.grep.matchedLines !== truth.grepLines) mismatches.push(`grep ${r.grep.matchedLines} ≠ ${truth.grepLines}${tag}`);
  }
  if (!sec.skipped && sec.matchedLines !== truth.secLines) mismatches.push(`SEC ${sec.matchedLines} ≠ ${truth.secLines}`);
  if (!f2b.skipped && f2b.matchedLines !== truth.fail2banLines) mismatches.push(`fail2ban-regex ${f2b.matchedLines} ≠ ${truth.fail2banLines}`);
  out(mismatches.length ? `COUNT MISMATCH: ${mismatches.join("; ")}` : "counts: every tool reports exactly its expected count.");
  return { grepLinesPerSecond: medianGrep, testRulesLinesPerSecond: medianTestRules, catchUpLinesPerSecond: medianCatchUp, secLinesPerSecond: secLps, fail2banLinesPerSecond: f2bLps, journalBytes: v.journalBytes, peakRssBytes: v.peakRssBytes };
}

function printLatency(l, load, ws) {
  out("");
  out(`Detection latency — ${l.writer.matches} matching records in ${formatInt(l.writer.lines)} lines appended at ${l.rate} lines/s for ${l.writer.seconds.toFixed(1)} s, ${formatLoad(load.from, load.to)}`);
  const row = (name, s) => [name, formatMs(s.p50), formatMs(s.p95), formatMs(s.p99), formatMs(s.max), String(s.count)];
  out(
    formatTable([
      ["append →", "p50", "p95", "p99", "max", "n"],
      row("incident emitted (changes$ opened)", l.toIncident),
      row("incident in the journal file", l.toJournal),
      row("…last record before a pause: incident", l.idleFlush.toIncident),
      row("…last record before a pause: journal", l.idleFlush.toJournal),
    ]),
  );
  out("The last two rows measure the multiline grouper's floor: a start line is held until the next start line or");
  out("`multiline.flush_ms` (default 100 ms) without lines; a record followed by silence waits for that idle flush.");
  out(`command: ${l.command} (WORKSPACE = ${ws.dir}, FILE = WORKSPACE/logs/bot_central.log)`);
  if (l.lost > 0) out(`LOST: ${l.lost} matching records never opened an incident`);
}

function printMemory(m, big, ws) {
  out("");
  out(`Memory — catch-up of ${formatMB(big.bytes)} (${formatInt(big.lines)} lines) in ${formatSeconds(m.catchUpMs)} (${formatInt(m.linesRead / (m.catchUpMs / 1000))} lines/s), ${formatLoad(m.load.from, m.load.to)}`);
  const points = sampleByProgress(m.rssSamples, big.bytes);
  out(formatTable([["progress", ...points.map((p) => `${p.percent} %`)], ["RSS", ...points.map((p) => formatMB(p.rssBytes))]]));
  out(`peak RSS (VmHWM) ${formatMB(m.peakRssBytes)}, RSS at end of catch-up ${formatMB(m.rssAtEndBytes)}; ${formatInt(m.incidents)} incidents, ${formatJournal(m)}`);
  if (m.idle) {
    const h = m.idle.held;
    out(`idle: RSS ${formatMB(m.idle.rssBytes)} (heap ${formatMB(m.idle.heapUsedBytes)}) after ${m.idle.seconds} s without input; the manager then held ${formatInt(h?.incidents)} incidents, ${formatInt(h?.open)} of them open`);
  }
  const alone = `node bench/measure-memory.mjs --bytes ${settings.memoryBytes} --videos ${settings.memoryVideos} --error-scale ${settings.memoryErrorScale} --seed ${settings.seed + 1} --idle-seconds ${settings.idleSeconds}`;
  out(`command: ${m.command}, WORKSPACE = ${ws.dir}, on a generated log of ${formatInt(big.bytes)} bytes (${alone} does the same alone)`);
}

/** `journal 889 incidents live (1.3 MB), 3 853 archived in 1 file(s) (5.2 MB)`: the live file and its archives. */
function formatJournal(r) {
  const a = r.archives ?? { files: 0, elements: 0, bytes: 0 };
  const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
  return `journal ${formatInt(r.journalElements)} incidents live (${mb(r.journalBytes)}), ${formatInt(a.elements)} archived in ${a.files} file(s)${a.files > 0 ? ` (${mb(a.bytes)})` : ""}`;
}

/** RSS at 0, 25, 50, 75 and 100 % of the bytes read. */
function sampleByProgress(samples, totalBytes) {
  const points = [];
  for (const percent of [0, 25, 50, 75, 100]) {
    const wanted = (percent / 100) * totalBytes;
    const s = samples.find((x) => x.bytesRead >= wanted) ?? samples.at(-1);
    if (s) points.push({ percent, rssBytes: s.rssBytes, atMs: s.atMs });
  }
  return points;
}

function printTargets(summary, latency, memory) {
  const memoryIsFull = memory && memory.logBytes >= TARGETS.rssLogBytes * 0.99;
  const lps = (x) => `${formatInt(x)} lines/s (${formatRatio(summary.grepLinesPerSecond && x ? x / summary.grepLinesPerSecond : null)} grep)`;
  const met = (x, goal) => (x === null ? null : x >= goal);
  out("");
  out("Targets (medians of the rounds, each from the command printed with its figure above; absolute figures depend on");
  out(`the machine's load, the ratios to grep less so; load now ${loadNow().toFixed(1)}):`);
  out(formatTarget("catch-up", lps(summary.catchUpLinesPerSecond), `≥ ${formatInt(TARGETS.catchUpLinesPerSecond)}`, met(summary.catchUpLinesPerSecond, TARGETS.catchUpLinesPerSecond)));
  out(formatTarget("test-rules", lps(summary.testRulesLinesPerSecond), `≥ ${formatInt(TARGETS.testRulesLinesPerSecond)}`, met(summary.testRulesLinesPerSecond, TARGETS.testRulesLinesPerSecond)));
  out(formatTarget("append → incident p99", latency ? formatMs(latency.toIncident.p99) : "–", `≤ ${TARGETS.p99IncidentMs} ms`, latency ? latency.toIncident.p99 <= TARGETS.p99IncidentMs : null));
  out(formatTarget("append → journal p99", latency ? formatMs(latency.toJournal.p99) : "–", `≤ ${TARGETS.p99JournalMs} ms`, latency ? latency.toJournal.p99 <= TARGETS.p99JournalMs : null));
  const rssLabel = memory ? `${formatMB(memory.peakRssBytes)} through ${formatMB(memory.logBytes)}` : "–";
  out(formatTarget("peak RSS through 1 GB", rssLabel, `≤ ${formatMB(TARGETS.rssBytes)} for 1 GB`, memoryIsFull ? memory.peakRssBytes <= TARGETS.rssBytes : null));
  const idleLabel = memory?.idle ? `${formatMB(memory.idle.rssBytes)} after ${memory.idle.seconds} s` : "–";
  out(formatTarget("RSS idle after it", idleLabel, `≤ ${formatMB(TARGETS.idleRssBytes)}`, memoryIsFull && memory.idle ? memory.idle.rssBytes <= TARGETS.idleRssBytes : null));
  if (memory && !memoryIsFull) out("     (the memory log is smaller than 1 GB: run without --quick for the target)");
}

function describeMachine() {
  const list = cpus();
  return { cpu: list[0]?.model?.trim() ?? "unknown CPU", cores: list.length, memoryBytes: totalmem(), kernel: release(), node: process.version };
}

function withoutSamples(r) {
  const { rssSamples: _rssSamples, ...rest } = r;
  return rest;
}
