#!/usr/bin/env node
// Soak: vigia follows a log the bot keeps writing at a steady rate with a share of errors, for a long time, and its
// RSS is sampled at a fixed interval. Memory that stays bounded shows as a flat line after the first minutes; a leak
// (something kept per incident, per key or per line) as a slope. Each error record names a folder of its own, so
// every one opens a new incident: the run opens rate × seconds × error share of them.
//
//   node bench/measure-soak.mjs [--minutes 30] [--rate 1000] [--error-every 100] [--sample-seconds 60] [--json FILE]
//
// Prints one row per sample (minute, RSS, heap used, incidents opened so far) and the growth between the first
// sample after the warm-up and the last one. VIGIA_BENCH_DIST measures another build (as for npm run bench).
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBuild, NODE_FLAGS, withNodeEnv } from "./ensure-build.mjs";
import { formatInt, formatMB, formatTable } from "./format-report.mjs";
import { prepareWorkspace } from "./prepare-workspace.mjs";
import { parseLastJsonLine, runChild } from "./run-child.mjs";

const ENGINE_CHILD = fileURLToPath(new URL("./engine-child.mjs", import.meta.url));
const WRITER = fileURLToPath(new URL("./latency-writer.mjs", import.meta.url));

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "1000" },
    "error-every": { type: "string", default: "100" },
    "sample-seconds": { type: "string", default: "60" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const errorEvery = Number(values["error-every"]);
const sampleMs = Number(values["sample-seconds"]) * 1000;

/** VmRSS of a live process in bytes, or 0. */
function readRssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

process.stderr.write(`dist/: ${ensureBuild()}\n`);
const ws = prepareWorkspace();
writeFileSync(ws.logPath, "");
let ready;
const isReady = new Promise((resolve) => (ready = resolve));
let lastStatus = null;
const engine = runChild(process.execPath, [...NODE_FLAGS, ENGINE_CHILD, "follow", ws.dir], {
  env: withNodeEnv(),
  stdin: "pipe",
  onStdout: (text) => {
    if (text.includes("ready")) ready();
    for (const line of text.split("\n")) if (line.startsWith("{\"status\"")) lastStatus = JSON.parse(line).status;
  },
});
void engine.done.then(() => ready());
await isReady;
if (engine.child.exitCode !== null) throw new Error(`engine child exited early: ${(await engine.done).stderr.slice(-2000)}`);

const startedAt = new Date();
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
process.stderr.write(`soak: ${minutes} min at ${rate} lines/s, one record in ${errorEvery} an error; RSS every ${sampleMs / 1000} s (load ${load()})\n`);
const writer = runChild(process.execPath, [WRITER, ws.logPath, "--rate", String(rate), "--seconds", String(minutes * 60), "--match-every", String(errorEvery), "--pause-every", "1000000"]);
const samples = [];
const sample = () => {
  engine.child.stdin.write("status\n"); // the child answers with heap and incident figures (read at the next sample)
  const s = { minute: Math.round((Date.now() - startedAt.getTime()) / 600) / 100, rssBytes: readRssOf(engine.child.pid), load: load(), status: lastStatus };
  samples.push(s);
  process.stderr.write(`  ${s.minute.toFixed(1)} min: RSS ${formatMB(s.rssBytes)}, load ${s.load}${s.status ? `, heap ${formatMB(s.status.heapUsedBytes)}, ${formatInt(s.status.opened)} incidents opened, ${formatInt(s.status.held)} held` : ""}\n`);
};
sample();
const timer = setInterval(sample, sampleMs);
const written = await writer.done;
clearInterval(timer);
sample();
engine.child.stdin.write("stop\n");
const result = await engine.done;
if (written.code !== 0) throw new Error(`writer failed: ${written.stderr.slice(-2000)}`);
// The last line is the engine's report; status replies came before it.
// (its map of opening times can be cut short on a long run: the process exits while the pipe still drains it)
let report = { peakRssBytes: null, linesRead: null, changes: {} };
try {
  report = parseLastJsonLine(result.stdout.split("\n").filter((line) => !line.startsWith("{\"status\"")).join("\n"));
} catch {
  /* the samples above are the soak's figures */
}

// Each row shows the status the child gave one sample earlier: good enough for a trend, and it never waits.
const rows = [["minute", "RSS", "heap used", "incidents opened", "held by the manager", "of them open", "load"]];
for (let i = 0; i < samples.length; i++) {
  const s = samples[i];
  const st = samples[i + 1]?.status ?? null;
  rows.push([s.minute.toFixed(1), formatMB(s.rssBytes), st ? formatMB(st.heapUsedBytes) : "", st ? formatInt(st.opened) : "", st ? formatInt(st.held) : "", st ? formatInt(st.open) : "", s.load]);
}
const warm = samples.find((s) => s.minute >= Math.min(5, minutes / 3)) ?? samples[0];
const last = samples.at(-1);
process.stdout.write(`vigia soak — ${startedAt.toISOString()}: ${minutes} min at ${rate} lines/s, 1 record in ${errorEvery} an error (each a new incident)\n`);
process.stdout.write(`${formatTable(rows)}\n`);
process.stdout.write(
  `RSS ${formatMB(warm.rssBytes)} at ${warm.minute.toFixed(1)} min → ${formatMB(last.rssBytes)} at ${last.minute.toFixed(1)} min (${last.rssBytes >= warm.rssBytes ? "+" : "−"}${formatMB(Math.abs(last.rssBytes - warm.rssBytes))}); peak ${formatMB(report.peakRssBytes)}; ${formatInt(report.linesRead)} lines read, ${formatInt(report.changes.opened ?? 0)} incidents opened; journal ${formatMB(statSync(ws.journalPath).size)}\n`,
);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ startedAt, minutes, rate, errorEvery, samples, report: { ...report, openedAtMs: undefined } }, null, 2)}\n`);
if (!values.keep) ws.cleanup();
else process.stderr.write(`kept ${ws.dir}\n`);
