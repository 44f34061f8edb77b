// The pipeline's stages alone, in one process, on one file: what each costs without the engine around it, and so
// the ceiling of the catch-up with the current stages. Each pass re-reads the file (from the page cache) with 1 MiB
// reads and adds one stage:
//   read            read() only
//   split           + LineSplitter: one string and one SourceLine per line (what the tailer emits)
//   group           + MultilineGrouper: start-pattern test per line, events
//   match           + createRuleMatcher on every event (the prefilter gate, then the rules)
// Run alone: node bench/measure-stages.mjs FILE [--rules DIR]
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { DIST, REPO_ROOT } from "./ensure-build.mjs";

const PYTHON_START = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;
const CHUNK_BYTES = 1024 * 1024;

/** Runs every pass over `file`; resolves [{ stage, ms, linesPerSecond, lines, events, matches }]. */
export async function measureStages(file, rulesDir = join(REPO_ROOT, "rules")) {
  const { LineSplitter } = await import(pathToFileURL(join(DIST, "sources", "line-splitter.js")).href);
  const { MultilineGrouper } = await import(pathToFileURL(join(DIST, "events", "multiline-grouper.js")).href);
  const { loadRules } = await import(pathToFileURL(join(DIST, "rules", "load-rules.js")).href);
  const { createRuleMatcher } = await import(pathToFileURL(join(DIST, "rules", "match-rules.js")).href);
  const { rules } = loadRules(rulesDir);
  const size = statSync(file).size;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);

  const pass = (stage, upTo) => {
    const splitter = new LineSplitter(64 * 1024, 0);
    const grouper = new MultilineGrouper({ startPatterns: { bot: PYTHON_START } });
    const matcher = createRuleMatcher(rules);
    let lines = 0;
    let events = 0;
    let matches = 0;
    let batch = [];
    const readAtMs = Date.now();
    const sink = (text, offset, endOffset) => {
      batch.push({ source: "bot", file, text, offset, endOffset, fileId: "bench", readAtMs });
    };
    const onEvents = (out) => {
      events += out.length;
      if (upTo < 3) return;
      for (const e of out) if (matcher(e)) matches++;
    };
    const fd = openSync(file, "r");
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    try {
      for (let position = 0; position < size; ) {
        const n = readSync(fd, buffer, 0, CHUNK_BYTES, position);
        if (n === 0) break;
        position += n;
        if (upTo < 1) continue;
        batch = [];
        splitter.push(buffer, 0, n, sink);
        lines += batch.length;
        if (upTo < 2) continue;
        const out = [];
        grouper.push(batch, readAtMs, out);
        onEvents(out);
      }
      if (upTo >= 2) {
        const out = [];
        grouper.flushAll(out);
        onEvents(out);
      }
    } finally {
      closeSync(fd);
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return { stage, ms, cpuMs, lines, events, matches, linesPerSecond: lines / (ms / 1000) };
  };

  pass("warm-up", 3); // JIT and page cache
  return [pass("read", 0), pass("split", 1), pass("group", 2), pass("match", 3)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rules: { type: "string" } } });
  if (positionals.length !== 1) {
    process.stderr.write("usage: node bench/measure-stages.mjs FILE [--rules DIR]\n");
    process.exit(2);
  }
  const results = await measureStages(positionals[0], values.rules);
  // CPU time as well as wall time: on a shared machine the wall time includes waiting for a core.
  let previous = 0;
  for (const r of results) {
    process.stdout.write(`${r.stage.padEnd(6)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  +${((r.ms - previous) / 1000).toFixed(2)} s  cpu ${(r.cpuMs / 1000).toFixed(2)} s  ${Math.round(r.linesPerSecond).toLocaleString("en").padStart(11)} lines/s  events ${r.events} matches ${r.matches}\n`);
    previous = r.ms;
  }
}
