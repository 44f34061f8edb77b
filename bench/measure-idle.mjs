#!/usr/bin/env node
// Idle memory of `vigia run` on the built-in defaults: a fresh folder whose config only moves /health to a free port,
// no log yet (the sources wait for their files), the shipped rules; vigia started the way users start it (the bin
// run through its shebang, as `npx vigia` and the bin link do). RSS, peak RSS and CPU read from /proc/<pid> every
// --every seconds for --seconds.
//
//   node bench/measure-idle.mjs [--seconds 90] [--every 10] [--node-flags="..."] [--json FILE]
//
// --node-flags runs `node FLAGS bin/vigia.js run` instead of the shebang (--node-flags= for node's own defaults).
// VIGIA_BENCH_DIST measures another build: `node FLAGS bench/cli-child.mjs run`, FLAGS those of the shebang unless
// --node-flags gives others.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { ensureBuild, NODE_FLAGS, REPO_ROOT, withNodeEnv } from "./ensure-build.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "90" },
    every: { type: "string", default: "10" },
    "node-flags": { type: "string" },
    json: { type: "string" },
  },
});

ensureBuild();
const dir = mkdtempSync(join(tmpdir(), "vigia-idle-"));
writeFileSync(join(dir, "vigia.config.yaml"), "status: { listen: '127.0.0.1:0' }\n");
const bin = process.env.VIGIA_BENCH_DIST ? fileURLToPath(new URL("./cli-child.mjs", import.meta.url)) : join(REPO_ROOT, "bin", "vigia.js");
const flags = values["node-flags"];
const command =
  flags === undefined && !process.env.VIGIA_BENCH_DIST ? [bin] : [process.execPath, ...(flags === undefined ? NODE_FLAGS : flags.split(" ").filter(Boolean)), bin];
// The machine's TELEGRAM_TOKEN, SMTP_* and the like must not turn channels on: only what finds node stays.
// Through the shebang, the shebang sets node's environment; through node FLAGS, the bench does (withNodeEnv).
const ownEnv = { PATH: process.env.PATH, HOME: dir, ...(process.env.VIGIA_BENCH_DIST ? { VIGIA_BENCH_DIST: process.env.VIGIA_BENCH_DIST } : {}) };
const env = command[0] === bin ? ownEnv : { ...ownEnv, ...withNodeEnv({}) };
const child = spawn(command[0], [...command.slice(1), "run"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
let output = "";
child.stdout.on("data", (d) => (output = (output + d).slice(-20_000)));
child.stderr.on("data", (d) => (output = (output + d).slice(-20_000)));
const exited = new Promise((resolve) => child.on("exit", resolve));

const readStatus = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kB = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return { rss: kB("VmRSS"), hwm: kB("VmHWM"), threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1]), cpuS: (Number(fields[11]) + Number(fields[12])) / 100 };
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = (bytes) => Math.round(bytes / 1e5) / 10;

const samples = [];
const startedAt = Date.now();
const seconds = Number(values.seconds);
while (Date.now() - startedAt < seconds * 1000) {
  await sleep(Number(values.every) * 1000);
  if (child.exitCode !== null) throw new Error(`vigia exited:\n${output}`);
  const s = readStatus(child.pid);
  samples.push({ atS: Math.round((Date.now() - startedAt) / 1000), rssMB: MB(s.rss), threads: s.threads, cpuS: s.cpuS });
  process.stderr.write(`${samples.at(-1).atS} s: RSS ${MB(s.rss)} MB, ${s.threads} threads, CPU ${s.cpuS} s\n`);
}
const last = readStatus(child.pid);
const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
child.kill("SIGTERM");
await exited;
rmSync(dir, { recursive: true, force: true });

const result = {
  command: cmdline.map((a) => a.replace(REPO_ROOT, ".")).join(" "),
  seconds,
  rss_mb: MB(last.rss),
  peak_rss_mb: MB(last.hwm),
  threads: last.threads,
  cpu_seconds: last.cpuS,
  samples,
};
console.log(JSON.stringify(result));
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
