// vigia's node flags (the bin's shebang: V8 heap sizing, read only when node starts) reach node on every shipped way of
// starting vigia: the bin run directly (`npx vigia`, the bin link), `npm start`, the shell scripts (start.sh,
// run-with-monitor.sh) and deploy/vigia.service. Read from the running node's /proc/PID/cmdline.
import { afterEach, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { listDescendantPids } from "../cli/cli-harness.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeScriptEnv, makeVigiaHome, REPO, SCRIPTS } from "./script-harness.js";

const BIN = join(REPO, "bin", "vigia.js");
const shebang = readFileSync(BIN, "utf8").split("\n")[0];
const FLAGS = /^#!\/usr\/bin\/env -S node((?: \S+)*)$/.exec(shebang)?.[1]?.trim().split(" ") ?? [];

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

/**
 * Starts `command args` in its own process group and resolves the argv of the node process that runs the bin (the
 * command itself or one of its descendants): the node binary, its flags, the bin, vigia's arguments.
 */
async function startAndReadVigiaArgv(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string[]> {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  return waitFor(
    () => {
      for (const pid of [child.pid!, ...listDescendantPids(child.pid!)]) {
        const argv = readArgv(pid);
        if (argv && basename(argv[0]!) === "node" && argv.some((a) => a.endsWith("bin/vigia.js"))) return argv;
      }
      return child.exitCode === null && undefined;
    },
    { what: `node running bin/vigia.js under ${command}`, describe: () => output },
  );
}

/** The node flags in `argv` (everything between the node binary and the bin). */
const flagsOf = (argv: readonly string[]): string[] => argv.slice(1, argv.findIndex((a) => a.endsWith("bin/vigia.js")));

describe("node flags on every shipped start path", () => {
  it("the bin's shebang carries the heap flag", () => {
    expect(FLAGS).toContain("--max-semi-space-size=1");
  });

  it("the bin run directly (npx vigia, the bin link) starts node with them", async () => {
    const home = makeVigiaHome();
    const argv = await startAndReadVigiaArgv(BIN, ["run"], { cwd: home, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
    expect(argv.at(-1)).toBe("run");
  });

  it("npm start starts node with them", async () => {
    const home = makeVigiaHome();
    const argv = await startAndReadVigiaArgv("npm", ["start", "--silent", "--", "--config", join(home, "vigia.config.yaml")], { cwd: REPO, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
    expect(argv.slice(-3)).toEqual(["run", "--config", join(home, "vigia.config.yaml")]);
  });

  it("run-with-monitor.sh starts node with them", async () => {
    const home = makeVigiaHome();
    const argv = await startAndReadVigiaArgv(join(SCRIPTS, "run-with-monitor.sh"), ["--", "sleep", "600"], { cwd: home, env: makeScriptEnv(home) });
    expect(flagsOf(argv)).toEqual(FLAGS);
  });

  it("deploy/vigia.service's ExecStart, active and commented out, passes them", () => {
    const execStarts = readFileSync(join(REPO, "deploy", "vigia.service"), "utf8")
      .split("\n")
      .filter((l) => /^#?ExecStart=/.test(l))
      .map((l) => l.slice(l.indexOf("=") + 1).split(" "));
    expect(execStarts.length).toBeGreaterThanOrEqual(2);
    for (const argv of execStarts) expect(flagsOf(argv)).toEqual(FLAGS);
  });
});
