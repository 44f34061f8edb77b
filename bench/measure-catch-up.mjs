// vigia's side of the throughput comparison: the engine child reads the workspace's log from the start.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_FLAGS, withNodeEnv } from "./ensure-build.mjs";
import { parseLastJsonLine, runChild } from "./run-child.mjs";

const ENGINE_CHILD = fileURLToPath(new URL("./engine-child.mjs", import.meta.url));

/** Forgets what an earlier run left (journal, checkpoints, monitor.log) so the file is read from 0 with no incidents. */
export function resetWorkspaceState(ws) {
  rmSync(ws.stateDir, { recursive: true, force: true });
  rmSync(ws.journalPath, { force: true });
  for (const name of readdirSync(join(ws.dir, "logs"))) {
    if (name.startsWith("monitor") || name.startsWith(".descarga_errors")) rmSync(join(ws.dir, "logs", name), { force: true });
  }
}

/**
 * Catch-up of the whole log in a fresh child. With `profileDir`, the child runs under `--cpu-prof` and the paths of
 * the main thread's profile and the matching worker's are returned as `profilePath` and `workerProfilePath`. With `idleSeconds`, the child waits that long after the catch-up and reports its
 * RSS then (`idle`), before it stops. Resolves the child's report plus `wallMs` (process start to exit) and `command`
 * (what ran, for the report).
 */
export async function measureCatchUp(ws, { profileDir = null, idleSeconds = 0 } = {}) {
  resetWorkspaceState(ws);
  const nodeArgs = [...NODE_FLAGS, ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])];
  const env = withNodeEnv({ ...process.env, BENCH_IDLE_SECONDS: String(idleSeconds) });
  const { done } = runChild(process.execPath, [...nodeArgs, ENGINE_CHILD, "catchup", ws.dir], { env });
  const result = await done;
  if (result.code !== 0) throw new Error(`engine child failed (${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`);
  const report = parseLastJsonLine(result.stdout);
  let profilePath = null;
  let workerProfilePath = null;
  if (profileDir) {
    // One file per thread: CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile, the main thread's id 0.
    const profiles = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")).sort();
    const main = profiles.find((f) => f.split(".").at(-3) === "0");
    profilePath = main ? join(profileDir, main) : null;
    const worker = profiles.find((f) => f !== main && readFileSync(join(profileDir, f), "utf8").includes("/rules/match-worker.js"));
    workerProfilePath = worker ? join(profileDir, worker) : null;
  }
  const idle = idleSeconds > 0 ? `BENCH_IDLE_SECONDS=${idleSeconds} ` : "";
  const command = `${idle}node bench/engine-child.mjs catchup WORKSPACE (the Engine as vigia run --from-start --dry-run starts it, in a process of its own)`;
  return { ...report, wallMs: result.wallMs, profilePath, workerProfilePath, command };
}
