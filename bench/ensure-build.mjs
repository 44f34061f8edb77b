// The benchmark measures the compiled engine (dist/), as users run it: build it when missing or older than src/.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The compiled engine measured; VIGIA_BENCH_DIST points at another build (an experiment) and skips building. */
export const DIST = process.env.VIGIA_BENCH_DIST || join(REPO_ROOT, "dist");

/** The bin's shebang: `#!/usr/bin/env -S [NAME=VALUE …] node FLAGS`. */
const SHEBANG = /^#!\S*env -S((?: [A-Z_]+=\S*)*) node((?: \S+)*)$/m.exec(readFileSync(join(REPO_ROOT, "bin", "vigia.js"), "utf8"));

/**
 * The node flags vigia is started with (the bin's shebang, which `npm start`, the scripts and deploy/vigia.service
 * repeat): every child that runs vigia's engine or CLI gets them, so the figures are those of vigia as users start it.
 * VIGIA_BENCH_NODE_FLAGS replaces them (an experiment; empty for node's defaults).
 */
export const NODE_FLAGS =
  process.env.VIGIA_BENCH_NODE_FLAGS !== undefined
    ? process.env.VIGIA_BENCH_NODE_FLAGS.split(" ").filter(Boolean)
    : (SHEBANG?.[2] ?? "").split(" ").filter(Boolean);

/**
 * The environment the shebang gives node (MALLOC_ARENA_MAX, read by glibc when the process starts; the variable that
 * hands the caller's value back to vigia's own children is left out): every child that runs vigia gets it too.
 * VIGIA_BENCH_NODE_ENV="NAME=VALUE …" replaces it (empty for none).
 */
export const NODE_ENV = Object.fromEntries(
  (process.env.VIGIA_BENCH_NODE_ENV ?? SHEBANG?.[1] ?? "")
    .split(" ")
    .filter((a) => a.includes("=") && !a.startsWith("VIGIA_CALLER_"))
    .map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]),
);

/** `env` (default: this process's) with NODE_ENV on top: the environment of a child that runs vigia. */
export function withNodeEnv(env = process.env) {
  return { ...env, ...NODE_ENV };
}

/** Newest mtime (ms) of the .ts files under `dir`. */
function findNewestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, findNewestMtimeMs(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `tsc -p tsconfig.build.json` when dist/ is missing or a src/ file is newer than it; returns what it did. */
export function ensureBuild({ force = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  if (process.env.VIGIA_BENCH_DIST) return `using VIGIA_BENCH_DIST=${process.env.VIGIA_BENCH_DIST}`;
  const marker = join(DIST, "engine", "engine.js");
  const stale = !existsSync(marker) || findNewestMtimeMs(join(REPO_ROOT, "src")) > statSync(marker).mtimeMs;
  if (!force && !stale) return "up to date";
  log(`building dist/ (${existsSync(marker) ? "src/ changed" : "missing"})…`);
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO_ROOT, "tsconfig.build.json")], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  } catch {
    // tsc emits even with type errors (other stages in progress); the engine may still run.
    log("tsc reported errors (above); benchmarking what was emitted");
  }
  return "built";
}
