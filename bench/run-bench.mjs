#!/usr/bin/env node
// vigia's benchmark (`npm run bench`): throughput against grep and fail2ban-regex on one generated bot log, detection
// latency on a followed file, RSS through a large log. Prints figures and which targets are met; never fails the
// build (exit 0 whatever the figures). Options: node bench/run-bench.mjs --help
import { cpus, release, totalmem } from "node:os";
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
import { measureFail2ban, measureGrep } from "./measure-peers.mjs";
import { createRecordJudge } from "./peer-patterns.mjs";
import { prepareWorkspace } from "./prepare-workspace.mjs";
import { formatCpuSummary, summarizeCpuProfile } from "./summarize-cpu-profile.mjs";

const USAGE = `usage: node bench/run-bench.mjs [options]
  --quick                 CI-size run: 200 000 lines, 5 s of latency, a 64 MB memory log
  --lines N               lines of the throughput log (default 2 000 000; env BENCH_LINES)
  --memory-bytes N        size of the memory log (default 1 GiB, quick 64 MiB; env BENCH_MEMORY_BYTES)
  --latency-seconds N     duration of the latency run (default 20, quick 5; env BENCH_LATENCY_SECONDS)
  --rate N                lines/s appended in the latency run (default 1000)
  --videos N              distinct (model, video) pairs errors refer to (default 1000)
  --seed N                generator seed (default 7)
  --skip-fail2ban, --skip-latency, --skip-memory
  --profile               run the catch-up once more under --cpu-prof and print where the time goes
  --json FILE             write every figure as JSON too
  --keep                  keep the temp folder (its path is printed)
  --no-build              measure dist/ as it is (default: rebuild when src/ is newer)`;

const TARGETS = { linesPerSecond: 1_500_000, vsFail2ban: 30, p99IncidentMs: 20, p99JournalMs: 50, rssBytes: 120 * 1048576, rssLogBytes: 1024 ** 3 };

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    lines: { type: "string" },
    "memory-bytes": { type: "string" },
    "latency-seconds": { type: "string" },
    rate: { type: "string", default: "1000" },
    videos: { type: "string", default: "1000" },
    seed: { type: "string", default: "7" },
    "skip-fail2ban": { type: "boolean", default: false },
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
  lines: pick("lines", "BENCH_LINES", 2_000_000, 200_000),
  memoryBytes: pick("memory-bytes", "BENCH_MEMORY_BYTES", 1024 ** 3, 64 * 1048576),
  latencySeconds: pick("latency-seconds", "BENCH_LATENCY_SECONDS", 20, 5),
  rate: Number(opts.rate),
  videos: Number(opts.videos),
  seed: Number(opts.seed),
};

const out = (text = "") => process.stdout.write(`${text}\n`);
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

  step("vigia catch-up");
  const vigia = await measureCatchUp(ws);
  step("grep");
  const grep = await measureGrep(ws.logPath, rules);
  step(opts["skip-fail2ban"] ? "fail2ban-regex skipped" : "fail2ban-regex (slow: about 20 000 lines/s)");
  const f2b = opts["skip-fail2ban"] ? { skipped: "--skip-fail2ban" } : await measureFail2ban(ws.logPath, rules);
  figures.throughput = { vigia: withoutSamples(vigia), grep, fail2ban: f2b };
  printThroughput(log, truth, vigia, grep, f2b);

  if (opts.profile) {
    // A second catch-up under the profiler, so the figures above carry no profiling overhead.
    step("vigia catch-up again, under --cpu-prof");
    const profiled = await measureCatchUp(ws, { profileDir: mkdtempSync(join(root, "prof-")) });
    out("");
    out(`Where the catch-up's time goes (node --cpu-prof; ${formatSeconds(profiled.catchUpMs)} under the profiler):`);
    if (profiled.profilePath) out(formatCpuSummary(summarizeCpuProfile(JSON.parse(readFileSync(profiled.profilePath, "utf8"))), 25));
  }

  let latency = null;
  if (!opts["skip-latency"]) {
    step(`latency: ${settings.latencySeconds} s at ${settings.rate} lines/s`);
    const lws = prepareWorkspace({ parent: root });
    try {
      latency = await measureLatency(lws, { rate: settings.rate, seconds: settings.latencySeconds });
      figures.latency = latency;
      printLatency(latency);
    } catch (error) {
      out(`\nlatency: failed: ${error.message}`);
    }
  }

  let memory = null;
  if (!opts["skip-memory"]) {
    step(`memory: generating ${formatMB(settings.memoryBytes)}`);
    const mws = prepareWorkspace({ parent: root });
    const big = generateBotLog({ path: mws.logPath, lines: Infinity, bytes: settings.memoryBytes, seed: settings.seed + 1, videos: settings.videos });
    rmSync(ws.dir, { recursive: true, force: true }); // room on small disks
    step(`memory: catch-up of ${formatInt(big.lines)} lines`);
    try {
      memory = await measureCatchUp(mws);
      memory.logBytes = big.bytes;
      memory.logLines = big.lines;
      figures.memory = withoutSamples(memory);
      figures.memory.rssByProgress = sampleByProgress(memory.rssSamples, big.bytes);
      printMemory(memory, big);
    } catch (error) {
      out(`\nmemory: failed: ${error.message}`);
    }
    rmSync(mws.dir, { recursive: true, force: true });
  }

  printTargets(vigia, f2b, latency, memory);
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
  const truth = { events: 0, byRule: {}, grepLines: 0, fail2banLines: 0, warnings: [] };
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
  }
  return truth;
}

function printThroughput(log, truth, vigia, grep, f2b) {
  const vigiaLps = vigia.linesRead / (vigia.catchUpMs / 1000);
  const rate = (lines, ms) => (ms ? lines / (ms / 1000) : null);
  const rows = [["tool", "time", "lines/s", "MB/s", "peak RSS", "matched", "expected", "unit"]];
  rows.push([
    "vigia (engine catch-up)",
    formatSeconds(vigia.catchUpMs),
    formatInt(vigiaLps),
    (log.bytes / 1048576 / (vigia.catchUpMs / 1000)).toFixed(1),
    formatMB(vigia.peakRssBytes),
    formatInt(vigia.matches),
    formatInt(truth.events),
    "events",
  ]);
  rows.push(["  same, process wall", formatSeconds(vigia.wallMs), formatInt(rate(log.lines, vigia.wallMs)), (log.bytes / 1048576 / (vigia.wallMs / 1000)).toFixed(1), "", formatInt(vigia.incidents), formatInt(log.keys.size), "incidents / keys"]);
  for (const [name, r, expected] of [
    ["grep -Eic", grep, truth.grepLines],
    ["fail2ban-regex", f2b, truth.fail2banLines],
  ]) {
    if (r.skipped) rows.push([name, `skipped: ${r.skipped}`, "", "", "", "", "", ""]);
    else rows.push([name, formatSeconds(r.wallMs), formatInt(rate(log.lines, r.wallMs)), (log.bytes / 1048576 / (r.wallMs / 1000)).toFixed(1), formatMB(r.peakRssBytes), formatInt(r.matchedLines), formatInt(expected), "lines"]);
  }
  out("");
  out(`Throughput — one file: ${formatInt(log.lines)} lines, ${formatMB(log.bytes)}`);
  out(formatTable(rows));
  const vsGrep = grep.skipped ? null : vigiaLps / rate(log.lines, grep.wallMs);
  const vsF2b = f2b.skipped ? null : vigiaLps / rate(log.lines, f2b.wallMs);
  out(`ratios (lines/s): vigia/grep ${formatRatio(vsGrep)}, vigia/fail2ban-regex ${formatRatio(vsF2b)}${f2b.processedSeconds ? ` (fail2ban's own "processed in" ${f2b.processedSeconds} s)` : ""}`);
  out(`vigia: start ${formatMs(vigia.startMs)}, graceful stop ${formatMs(vigia.stopMs)} (journal ${formatInt(vigia.journalElements)} incidents, ${formatMB(vigia.journalBytes)}), RSS at end of catch-up ${formatMB(vigia.rssAtEndBytes)}`);
  const c = vigia.changes ?? {};
  out(`vigia incidents: ${formatInt(c.opened)} opened (${formatInt(c.reopened ?? 0)} of them reopened after a fix that did not hold, up to remediation.max_reopen per key), ${formatInt(c.folded)} repeats folded, ${formatInt(c.transition)} transitions; ${formatInt(log.keys.size)} distinct keys`);
  const byRule = Object.keys(truth.byRule)
    .map((id) => `${id} ${formatInt(vigia.matchesByRule?.[id] ?? 0)}/${formatInt(truth.byRule[id])}`)
    .join(", ");
  out(`vigia matches by rule (metrics/expected): ${byRule}`);
  out("Why the counts differ: vigia counts events (a traceback is one event, however many of its lines match) and drops");
  out("DEBUG records whole; grep counts every matching line, case-insensitively, without the timeout rule's lookahead or any");
  out("exclusion; fail2ban-regex counts matching lines and ignores only the lines that themselves match the ignoreregex.");
  out("'expected' is what each tool must report on this file, computed from the generator's per-template counts.");
  const mismatches = [];
  if (vigia.matches !== truth.events) mismatches.push(`vigia ${vigia.matches} ≠ ${truth.events}`);
  if (!grep.skipped && grep.matchedLines !== truth.grepLines) mismatches.push(`grep ${grep.matchedLines} ≠ ${truth.grepLines}`);
  if (!f2b.skipped && f2b.matchedLines !== truth.fail2banLines) mismatches.push(`fail2ban-regex ${f2b.matchedLines} ≠ ${truth.fail2banLines}`);
  out(mismatches.length ? `COUNT MISMATCH: ${mismatches.join("; ")}` : "counts: every tool reports exactly its expected count.");
}

function printLatency(l) {
  out("");
  out(`Detection latency — ${l.writer.matches} matching records in ${formatInt(l.writer.lines)} lines appended at ${l.rate} lines/s for ${l.writer.seconds.toFixed(1)} s`);
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
  if (l.lost > 0) out(`LOST: ${l.lost} matching records never opened an incident`);
}

function printMemory(m, big) {
  out("");
  out(`Memory — catch-up of ${formatMB(big.bytes)} (${formatInt(big.lines)} lines) in ${formatSeconds(m.catchUpMs)} (${formatInt(m.linesRead / (m.catchUpMs / 1000))} lines/s)`);
  const points = sampleByProgress(m.rssSamples, big.bytes);
  out(formatTable([["progress", ...points.map((p) => `${p.percent} %`)], ["RSS", ...points.map((p) => formatMB(p.rssBytes))]]));
  out(`peak RSS (VmHWM) ${formatMB(m.peakRssBytes)}, RSS at end of catch-up ${formatMB(m.rssAtEndBytes)}; ${formatInt(m.incidents)} incidents, journal ${formatMB(m.journalBytes)}`);
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

function printTargets(vigia, f2b, latency, memory) {
  const lps = vigia.linesRead / (vigia.catchUpMs / 1000);
  const vsF2b = f2b.skipped ? null : lps / (vigia.linesRead / (f2b.wallMs / 1000));
  const memoryIsFull = memory && memory.logBytes >= TARGETS.rssLogBytes * 0.99;
  out("");
  out("Targets (issue 7):");
  out(formatTarget("catch-up", `${formatInt(lps)} lines/s`, `≥ ${formatInt(TARGETS.linesPerSecond)}`, lps >= TARGETS.linesPerSecond));
  out(formatTarget("vs fail2ban-regex", formatRatio(vsF2b), `≥ ${TARGETS.vsFail2ban}×`, vsF2b === null ? null : vsF2b >= TARGETS.vsFail2ban));
  out(formatTarget("append → incident p99", latency ? formatMs(latency.toIncident.p99) : "–", `≤ ${TARGETS.p99IncidentMs} ms`, latency ? latency.toIncident.p99 <= TARGETS.p99IncidentMs : null));
  out(formatTarget("append → journal p99", latency ? formatMs(latency.toJournal.p99) : "–", `≤ ${TARGETS.p99JournalMs} ms`, latency ? latency.toJournal.p99 <= TARGETS.p99JournalMs : null));
  const rssLabel = memory ? `${formatMB(memory.peakRssBytes)} through ${formatMB(memory.logBytes)}` : "–";
  out(formatTarget("peak RSS through 1 GB", rssLabel, `≤ ${formatMB(TARGETS.rssBytes)} for 1 GB`, memoryIsFull ? memory.peakRssBytes <= TARGETS.rssBytes : null));
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
