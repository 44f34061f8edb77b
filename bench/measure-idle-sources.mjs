#!/usr/bin/env node
// Idle cost of many sources: `vigia run` on N idle files (default 1 000) for S seconds (default 60), CPU read from
// /proc/<pid>/stat (utime + stime) between two samples taken after start-up, plus the open descriptors at the end.
//
//   node bench/measure-idle-sources.mjs [--files 1000] [--seconds 60] [--glob] [--nofile N] [--keep]
//
// --glob configures one source `logs/*.log` instead of one source per file; --nofile runs vigia under
// `prlimit --nofile=N` (fewer descriptors than files: idle files are closed and reopened on change).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureBuild, NODE_FLAGS, REPO_ROOT, withNodeEnv } from "./ensure-build.mjs";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "1000" },
    seconds: { type: "string", default: "60" },
    glob: { type: "boolean", default: false },
    nofile: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const fileCount = Number(values.files);
const seconds = Number(values.seconds);

ensureBuild();
const dir = mkdtempSync(join(tmpdir(), "vigia-idle-"));
mkdirSync(join(dir, "logs"));
mkdirSync(join(dir, "rules"));
for (let i = 0; i < fileCount; i++) writeFileSync(join(dir, "logs", `app-${i}.log`), `2026-01-01 00:00:00 started ${i}\n`);
writeFileSync(join(dir, "rules", "basic.yaml"), "rules:\n  - id: boom\n    match: 'BOOM (?<what>\\w+)'\n    severity: warning\n");
const sources = values.glob
  ? "  - name: app\n    path: logs/*.log\n"
  : Array.from({ length: fileCount }, (_, i) => `  - name: app${i}\n    path: logs/app-${i}.log\n`).join("");
writeFileSync(
  join(dir, "vigia.config.yaml"),
  `sources:\n${sources}rules: rules\njournal: logs/journal.json\nstate_dir: logs/.vigia\nlog_dir: logs\n` +
    "status: { listen: '127.0.0.1:0' }\nchecks: { disk: null }\n",
);

const ticksPerSecond = 100; // USER_HZ on Linux
const readCpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const command = [
  ...(values.nofile ? ["prlimit", `--nofile=${values.nofile}`] : []),
  process.execPath,
  ...NODE_FLAGS,
  join(REPO_ROOT, "bin", "vigia.js"),
  "run",
  "--config",
  join(dir, "vigia.config.yaml"),
];
const child = spawn(command[0], command.slice(1), {
  cwd: dir,
  env: withNodeEnv(),
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
child.stdout.on("data", (d) => (output += d));
child.stderr.on("data", (d) => (output += d));
const exited = new Promise((resolve) => child.on("exit", resolve));

// Start-up (opening N files, first reads) is not idle: wait until the first checkpoint holds every file, then settle.
const checkpointFile = join(dir, "logs", ".vigia", "checkpoints.json");
const startedAt = Date.now();
for (;;) {
  if (child.exitCode !== null) throw new Error(`vigia exited during start-up:\n${output}`);
  try {
    const saved = JSON.parse(readFileSync(checkpointFile, "utf8"));
    if (Object.keys(saved.paths ?? saved.files ?? saved).length >= fileCount) break;
  } catch {
    /* not written yet */
  }
  if (Date.now() - startedAt > 300_000) throw new Error(`no checkpoint for ${fileCount} files after 300 s:\n${output}`);
  await sleep(500);
}
await sleep(5000);
const before = readCpuTicks(child.pid);
const beforeMs = Date.now();
await sleep(seconds * 1000);
const after = readCpuTicks(child.pid);
const elapsedS = (Date.now() - beforeMs) / 1000;
const fds = readdirSync(`/proc/${child.pid}/fd`).length;
child.kill("SIGTERM");
await exited;

const cpuS = (after - before) / ticksPerSecond;
const result = {
  files: fileCount,
  sources: values.glob ? 1 : fileCount,
  nofile_limit: values.nofile ? Number(values.nofile) : null,
  idle_seconds: Math.round(elapsedS),
  cpu_seconds: cpuS,
  cpu_percent_of_a_core: Math.round((cpuS / elapsedS) * 1000) / 10,
  open_descriptors: fds,
};
console.log(JSON.stringify(result));
if (values.keep) console.error(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
