// vigia's node flags and environment (the bin's shebang: V8 heap sizing and glibc's arenas, read only when node starts)
// reach node on every shipped way of starting vigia: the bin run directly (`npx vigia`, the bin link), `npm start`, the
// shell scripts (start.sh, run-with-monitor.sh) and deploy/vigia.service. Read from the running node's
// /proc/PID/cmdline and /proc/PID/environ; the processes vigia starts get the caller's environment, not the shebang's.
import { afterEach, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { listDescendantPids } from "../cli/cli-harness.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeScriptEnv, makeVigiaHome, REPO, SCRIPTS } from "./script-harness.js";

const BIN = join(REPO, "bin", "vigia.js");
const shebang = readFileSync(BIN, "utf8").split("\n")[0];
const SHEBANG = /^#!\/usr\/bin\/env -S((?: [A-Z_]+=\S*)*) node((?: \S+)*)$/.exec(shebang);
const FLAGS = SHEBANG?.[2]?.trim().split(" ") ?? [];
/** What the shebang sets for node: NAME=VALUE words before `node`. */
const ASSIGNMENTS = SHEBANG?.[1]?.trim().split(" ") ?? [];

const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const closed = new Promise((resolve) => child.on("close", resolve));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await closed;
  }
});

/** The argv of a live process, or null when it is gone or has none (a zombie's is empty). */
function readArgv(pid: number): string[] | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
    return argv.length > 0 ? argv : null;
  } catch {
    return null;
  }
}

/** The environment a live process started with (its /proc/PID/environ), by name; null when it is gone. */
function readEnviron(pid: number): Map<string, string> | null {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    return new Map(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  } catch {
    return null;
  }
}

/**
 * Starts `command args` in its own process group and resolves the argv of the node process that runs the bin (the
 * command itself or one of its descendants): the node binary, its flags, the bin, vigia's arguments; and the
 * environment it started with.
 */
async function startAndReadVigia(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ argv: string[]; environ: Map<string, string>; child: ChildProcess }> {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  return waitFor(
    () => {
      for (const pid of [child.pid!, ...listDescendantPids(child.pid!)]) {
        const argv = readArgv(pid);
        const environ = argv && basename(argv[0]!) === "node" && argv.some((a) => a.endsWith("bin/vigia.js")) ? readEnviron(pid) : null;
        if (environ) return { argv: argv!, environ, child };
      }
      return child.exitCode === null && undefined;
    },
    { what: `node running bin/vigia.js under ${command}`, describe: () => output },
  );
}

/** The node flags in `argv` (everything between the node binary and the bin). */
const flagsOf = (argv: readonly string[]): string[] => argv.slice(1, argv.findIndex((a) => a.endsWith("bin/vigia.js")));

describe("node flags on every shipped start path", () => {
  it("the bin's shebang carries the heap flag and at most 2 malloc arenas", () => {
    expect(FLAGS).toContain("--max-semi-space-size=1");
    expect(ASSIGNMENTS).toContain("MALLOC_ARENA_MAX=2");
  });

  it("the bin run directly (npx vigia, the bin link) starts node with them", async () => {
    const home = makeVigiaHome();
    const { argv, environ } = await startAndReadVigia(BIN, ["run"], { cwd: home, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
    expect(argv.at(-1)).toBe("run");
    expect(environ.get("MALLOC_ARENA_MAX")).toBe("2");
  });

  it("npm start starts node with them", async () => {
    const home = makeVigiaHome();
    const { argv, environ } = await startAndReadVigia("npm", ["start", "--silent", "--", "--config", join(home, "vigia.config.yaml")], { cwd: REPO, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
    expect(argv.slice(-3)).toEqual(["run", "--config", join(home, "vigia.config.yaml")]);
    expect(environ.get("MALLOC_ARENA_MAX")).toBe("2");
  });

  it("run-with-monitor.sh starts node with them", async () => {
    const home = makeVigiaHome();
    const { argv, environ } = await startAndReadVigia(join(SCRIPTS, "run-with-monitor.sh"), ["--", "sleep", "600"], { cwd: home, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
    expect(environ.get("MALLOC_ARENA_MAX")).toBe("2");
  });

  it("deploy/vigia.service's ExecStart, active and commented out, passes them, and its Environment sets the arenas", () => {
    const lines = readFileSync(join(REPO, "deploy", "vigia.service"), "utf8").split("\n");
    const execStarts = lines.filter((l) => /^#?ExecStart=/.test(l)).map((l) => l.slice(l.indexOf("=") + 1).split(" "));
    expect(execStarts.length).toBeGreaterThanOrEqual(2);
    for (const argv of execStarts) expect(flagsOf(argv)).toEqual(FLAGS);
    const environment = lines.filter((l) => l.startsWith("Environment=")).flatMap((l) => l.slice(l.indexOf("=") + 1).split(" "));
    expect(environment).toEqual(expect.arrayContaining(["MALLOC_ARENA_MAX=2", "VIGIA_CALLER_MALLOC_ARENA_MAX="]));
  });

  it.each([
    ["without MALLOC_ARENA_MAX", undefined, "unset"],
    ["with MALLOC_ARENA_MAX=8", "8", "8"],
  ])("the bot vigia supervises, started %s, gets the caller's value, not vigia's", async (_, callerValue, expected) => {
    const home = makeVigiaHome();
    // The bot writes what it was given and ends; vigia supervise then ends too.
    writeFileSync(join(home, "bot.sh"), 'printf "%s" "${MALLOC_ARENA_MAX-unset}" > arenas.txt\n');
    const env = makeScriptEnv(home, callerValue === undefined ? {} : { MALLOC_ARENA_MAX: callerValue });
    if (callerValue === undefined) delete env.MALLOC_ARENA_MAX;
    const { environ, child } = await startAndReadVigia(BIN, ["supervise", "--", "sh", "bot.sh"], { cwd: home, env });
    expect(environ.get("MALLOC_ARENA_MAX")).toBe("2");
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.on("close", resolve));
    expect(readFileSync(join(home, "arenas.txt"), "utf8")).toBe(expected);
  });
});
