// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per function and per file,
// and inclusive (self + callees) time of vigia's own functions.
// Run alone: node bench/summarize-cpu-profile.mjs FILE.cpuprofile [--top N]
import { readFileSync } from "node:fs";

/** Shortens a script URL to what identifies it: `dist/rules/match-rules.js`, `node_modules/rxjs/…`, `node:fs`. */
export function shortenUrl(url) {
  if (!url) return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) return path.slice(nm + 1);
  const dist = path.lastIndexOf("/dist/");
  if (dist >= 0) return path.slice(dist + 1);
  const bench = path.lastIndexOf("/bench/");
  if (bench >= 0) return path.slice(bench + 1);
  return path;
}

/**
 * Summarises a parsed profile: { totalMs, idleMs, gcMs, functions: [{name, file, line, selfMs, totalMs}],
 * files: [{file, selfMs}] }, sorted by self time. Inclusive time counts each sample once per function even
 * under recursion.
 */
export function summarizeCpuProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + dt);
  }
  const keyOf = (n) => `${n.callFrame.functionName || "(anonymous)"}|${n.callFrame.url}|${n.callFrame.lineNumber}`;
  const byFunction = new Map();
  const byFile = new Map();
  let totalUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of hits) {
    const node = nodes.get(id);
    totalUs += us;
    const name = node.callFrame.functionName;
    if (name === "(idle)") idleUs += us;
    if (name === "(garbage collector)") gcUs += us;
    const key = keyOf(node);
    const entry = byFunction.get(key) ?? { name: name || "(anonymous)", file: shortenUrl(node.callFrame.url), line: node.callFrame.lineNumber + 1, selfUs: 0, totalUs: 0 };
    entry.selfUs += us;
    byFunction.set(key, entry);
    const file = shortenUrl(node.callFrame.url);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    // Inclusive: walk up once per distinct function on the stack.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const n = nodes.get(at);
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      const e = byFunction.get(k) ?? { name: n.callFrame.functionName || "(anonymous)", file: shortenUrl(n.callFrame.url), line: n.callFrame.lineNumber + 1, selfUs: 0, totalUs: 0 };
      e.totalUs += us;
      byFunction.set(k, e);
    }
  }
  const ms = (us) => Math.round(us / 100) / 10;
  const functions = [...byFunction.values()]
    .map((f) => ({ name: f.name, file: f.file, line: f.line, selfMs: ms(f.selfUs), totalMs: ms(f.totalUs) }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const files = [...byFile].map(([file, us]) => ({ file, selfMs: ms(us) })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: ms(totalUs), idleMs: ms(idleUs), gcMs: ms(gcUs), functions, files };
}

/** Text tables of the top `top` functions by self time, vigia's functions by inclusive time, and files. */
export function formatCpuSummary(summary, top = 25) {
  const busy = summary.totalMs - summary.idleMs;
  const pct = (v) => `${((100 * v) / Math.max(1, busy)).toFixed(1)}%`.padStart(6);
  const out = [`CPU profile: ${summary.totalMs} ms sampled, ${busy.toFixed(0)} ms busy (idle ${summary.idleMs} ms, GC ${summary.gcMs} ms = ${pct(summary.gcMs).trim()} of busy)`];
  out.push("", "Top functions by self time:", "   self ms  share  function (file:line)");
  for (const f of summary.functions.filter((f) => f.name !== "(idle)").slice(0, top)) {
    const name = f.name.startsWith("RegExp: ") ? `/${f.name.slice(8, 90)}${f.name.length > 98 ? "…" : ""}/` : f.name;
    out.push(`${String(f.selfMs).padStart(10)} ${pct(f.selfMs)}  ${name} (${f.file}:${f.line})`);
  }
  out.push("", "vigia functions by inclusive time (self + callees):", "  total ms  share  function (file:line)");
  const own = summary.functions.filter((f) => f.file.startsWith("dist/")).sort((a, b) => b.totalMs - a.totalMs);
  for (const f of own.slice(0, top)) out.push(`${String(f.totalMs).padStart(10)} ${pct(f.totalMs)}  ${f.name} (${f.file}:${f.line})`);
  const regexps = summary.functions.filter((f) => f.name.startsWith("RegExp: "));
  const regexpMs = regexps.reduce((sum, f) => sum + f.selfMs, 0);
  out.push("", `Regular expressions (native, self): ${regexpMs.toFixed(0)} ms = ${pct(regexpMs).trim()} of busy, in ${regexps.length} distinct patterns; top:`);
  for (const f of regexps.slice(0, 6)) out.push(`${String(f.selfMs).padStart(10)} ${pct(f.selfMs)}  /${f.name.slice(8, 110)}${f.name.length > 118 ? "…" : ""}/`);
  out.push("", "Self time by file:", "   self ms  share  file");
  for (const f of summary.files.slice(0, 15)) out.push(`${String(f.selfMs).padStart(10)} ${pct(f.selfMs)}  ${f.file}`);
  return out.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, flag, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node bench/summarize-cpu-profile.mjs FILE.cpuprofile [--top N]\n");
    process.exit(2);
  }
  const summary = summarizeCpuProfile(JSON.parse(readFileSync(file, "utf8")));
  process.stdout.write(`${formatCpuSummary(summary, flag === "--top" ? Number(n) : 25)}\n`);
}
