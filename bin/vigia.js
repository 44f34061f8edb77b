#!/usr/bin/env -S VIGIA_CALLER_MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX} MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// Entry point: runs the compiled CLI, building it first on a clone where `dist/` is missing.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

// MALLOC_ARENA_MAX (docs/cli.md#node-flags) is this process's: glibc read it when node started. The processes vigia
// starts (the bot under `supervise`, actions, checks) get the caller's environment, as they would without it.
const callerArenaMax = process.env.VIGIA_CALLER_MALLOC_ARENA_MAX;
if (callerArenaMax !== undefined) {
  if (callerArenaMax === "") delete process.env.MALLOC_ARENA_MAX;
  else process.env.MALLOC_ARENA_MAX = callerArenaMax;
  delete process.env.VIGIA_CALLER_MALLOC_ARENA_MAX;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "cli", "main.js");
if (!existsSync(entry)) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
