#!/usr/bin/env node
// Memory through a big catch-up, alone (the memory part of `npm run bench`, without the throughput rounds and peers):
// a log of --bytes (default 1 GiB) with nearly every error a key of its own (about 100 000 incidents through 1 GiB),
// caught up by the engine child with actions in dry-run; RSS, incidents held by the manager and incidents in the live
// journal sampled every 100 ms, then RSS once vigia has waited --idle-seconds with nothing to read.
//
//   node bench/measure-memory.mjs [--bytes N] [--videos 1000000] [--error-scale 2] [--idle-seconds 60] [--json FILE] [--keep]
//
// VIGIA_BENCH_DIST measures another build (as for npm run bench).
import { rmSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ALL_TEMPLATES } from "./bot-log-templates.mjs";
import { ensureBuild } from "./ensure-build.mjs";
import { formatInt, formatMB, formatSeconds, formatTable } from "./format-report.mjs";
import { generateBotLog } from "./generate-bot-log.mjs";
import { measureCatchUp } from "./measure-catch-up.mjs";
import { prepareWorkspace } from "./prepare-workspace.mjs";

const { values } = parseArgs({
  options: {
    bytes: { type: "string", default: String(1024 ** 3) },
    videos: { type: "string", default: "1000000" },
    "error-scale": { type: "string", default: "2" },
    "idle-seconds": { type: "string", default: "60" },
    seed: { type: "string", default: "8" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const out = (line = "") => process.stdout.write(`${line}\n`);
process.stderr.write(`dist/: ${ensureBuild()}\n`);
const ws = prepareWorkspace();
const scale = Number(values["error-scale"]);
const templates = ALL_TEMPLATES.map((t) => (t.rule ? { ...t, weight: t.weight * scale } : t));
const started = performance.now();
const log = generateBotLog({ path: ws.logPath, lines: Infinity, bytes: Number(values.bytes), seed: Number(values.seed), videos: Number(values.videos), templates });
process.stderr.write(`log: ${formatMB(log.bytes)}, ${formatInt(log.lines)} lines, generated in ${formatSeconds(performance.now() - started)}; catching up…\n`);

const m = await measureCatchUp(ws, { idleSeconds: Number(values["idle-seconds"]) });
const samples = m.rssSamples;
const maxOf = (key) => samples.reduce((max, s) => Math.max(max, s[key] ?? 0), 0);
out(`Memory — catch-up of ${formatMB(log.bytes)} (${formatInt(log.lines)} lines) in ${formatSeconds(m.catchUpMs)} (${formatInt(m.linesRead / (m.catchUpMs / 1000))} lines/s)`);
const rows = [["progress"], ["RSS"], ["incidents held"], ["live journal"]];
for (const percent of [0, 10, 25, 50, 75, 90, 100]) {
  const s = samples.find((x) => x.bytesRead >= (percent / 100) * log.bytes) ?? samples.at(-1);
  rows[0].push(`${percent} %`);
  rows[1].push(formatMB(s.rssBytes));
  rows[2].push(formatInt(s.held));
  rows[3].push(formatInt(s.journalLive));
}
out(formatTable(rows));
out(`peak RSS (VmHWM) ${formatMB(m.peakRssBytes)}; at most ${formatInt(maxOf("held"))} incidents held (${formatInt(maxOf("open"))} open) and ${formatInt(maxOf("journalLive"))} in the live journal at once`);
out(`${formatInt(m.incidents)} incidents (${formatInt(m.changes.opened)} opened), live journal at stop ${formatInt(m.journalElements)} incidents, ${formatMB(m.journalBytes)}`);
if (m.idle) {
  out(`idle: RSS ${formatMB(m.idle.rssBytes)} (heap ${formatMB(m.idle.heapUsedBytes)} used of ${formatMB(m.idle.heapTotalBytes)}) after ${m.idle.seconds} s without input; ${formatInt(m.idle.held?.incidents)} incidents held`);
  const map = m.idle.memoryMap;
  if (map) out(`  of which: node binary ${formatMB(map.nodeBinary)}, malloc's main heap ${formatMB(map.mallocHeap)}, anonymous (V8 heaps, thread arenas, stacks) ${formatMB(map.anonymous)}, libraries ${formatMB(map.files)}`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ log: { bytes: log.bytes, lines: log.lines }, ...m, rssSamples: undefined }, null, 2)}\n`);
if (values.keep) out(`kept: ${ws.dir}`);
else rmSync(ws.dir, { recursive: true, force: true });
