// Runs a child process and collects its output, its wall time and its peak RSS (VmHWM, read from /proc while it runs:
// the parent cannot get a child's rusage from Node).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** VmHWM of a live process, in bytes, or 0 when /proc cannot tell (process gone, not Linux). */
export function readPeakRssOf(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Spawns `command args`, resolves { code, signal, stdout, stderr, wallMs, peakRssBytes } when it exits.
 * `onStdout(text)` sees output as it comes. Every child started here is killed if this process exits first.
 */
export function runChild(command, args, { cwd, env, onStdout, stdin = "ignore" } = {}) {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: [stdin, "pipe", "pipe"] });
  liveChildren.add(child);
  let stdout = "";
  let stderr = "";
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, readPeakRssOf(child.pid));
  }, 50);
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    stdout += text;
    onStdout?.(text, child);
  });
  child.stderr.on("data", (text) => {
    // Keep the end only: a chatty child must not grow the parent.
    stderr = (stderr + text).slice(-20_000);
  });
  const done = new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearInterval(sampler);
      liveChildren.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearInterval(sampler);
      liveChildren.delete(child);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started, peakRssBytes: peak });
    });
  });
  return { child, done };
}

const liveChildren = new Set();
process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

/** The last line of `stdout` that parses as a JSON object. */
export function parseLastJsonLine(stdout) {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    try {
      return JSON.parse(line);
    } catch {
      /* not the report line */
    }
  }
  throw new Error(`no JSON report in the child's output: ${stdout.slice(-500)}`);
}
