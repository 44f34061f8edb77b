// `npm test` makes sure of the programs it drives (pretest): on a machine without logrotate it installs it with
// apt-get when it can, and says in one line what to install when it cannot. Each case runs the real script on a
// PATH of its own, where a program is "installed" when the folder holds it and apt-get/id are recording stand-ins.
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SCRIPTS } from "./script-harness.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-deps-");

const SCRIPT = join(SCRIPTS, "ensure-test-deps.sh");
const BASH = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();

/**
 * A PATH folder with the shell basics, the given programs (as no-op stand-ins: python3 imports every module unless
 * `pythonLacks` names it), `id -u` printing `uid` and, when asked, an apt-get that records its arguments.
 */
function makeMachine(programs: string[], options: { uid: number; aptGet: boolean; pythonLacks?: string }): { bin: string; aptLog: string } {
  const bin = newTempDir();
  for (const tool of ["mktemp", "rm"]) {
    const real = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    symlinkSync(real, join(bin, tool));
  }
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!${BASH}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  for (const program of programs) stub(program, "exit 0");
  if (options.pythonLacks && programs.includes("python3")) stub("python3", `[ "$2" = "import ${options.pythonLacks}" ] && exit 1; exit 0`);
  stub("id", `echo ${options.uid}`);
  const aptLog = join(bin, "apt-get.log");
  if (options.aptGet) stub("apt-get", `echo "$*" >> ${JSON.stringify(aptLog)}`);
  return { bin, aptLog };
}

function runScript(bin: string) {
  const result = spawnSync(BASH, [SCRIPT], {
    encoding: "utf8",
    env: { PATH: bin, VIGIA_TEST_DEPS_SBIN: "", VIGIA_TEST_DEPS_PYTHON: join(bin, "python3"), TMPDIR: bin },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("pretest: the programs the test suite needs", () => {
  it("says nothing when everything is installed", () => {
    const { bin, aptLog } = makeMachine(["logrotate", "jq", "python3", "setpriv", "chromium", "ffprobe"], { uid: 0, aptGet: true });
    expect(runScript(bin)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(aptLog)).toBe(false);
  });

  it("as root with apt-get, installs what is missing and says so in one line", () => {
    const { bin, aptLog } = makeMachine(["python3", "setpriv", "chromium", "ffprobe"], { uid: 0, aptGet: true });
    expect(runScript(bin)).toEqual({ code: 0, stdout: "test deps: installed logrotate jq\n", stderr: "" });
    expect(readFileSync(aptLog, "utf8")).toBe("update -qq\ninstall -y -qq --no-install-recommends logrotate jq\n");
  });

  it("without root, says in one line what to install, and lets the suite run", () => {
    const { bin, aptLog } = makeMachine(["jq", "python3", "setpriv", "chromium", "ffprobe"], { uid: 1000, aptGet: true });
    expect(runScript(bin)).toEqual({
      code: 0,
      stdout: "test deps: missing logrotate; install them (Debian/Ubuntu: sudo apt-get install logrotate); the tests that need them will fail\n",
      stderr: "",
    });
    expect(existsSync(aptLog)).toBe(false);
  });

  it("without apt-get, says the same", () => {
    const { bin } = makeMachine(["jq", "setpriv", "chromium", "ffprobe"], { uid: 0, aptGet: false });
    expect(runScript(bin).stdout).toBe(
      "test deps: missing logrotate python3 python3-python-telegram-bot; install them (Debian/Ubuntu: sudo apt-get install logrotate python3 python3-python-telegram-bot); the tests that need them will fail\n",
    );
  });

  it("counts a Python library as installed when the system's python3 imports it", () => {
    const { bin } = makeMachine(["logrotate", "jq", "python3", "setpriv", "chromium", "ffprobe"], { uid: 1000, aptGet: false, pythonLacks: "telegram" });
    expect(runScript(bin).stdout).toBe(
      "test deps: missing python3-python-telegram-bot; install them (Debian/Ubuntu: sudo apt-get install python3-python-telegram-bot); the tests that need them will fail\n",
    );
  });
});
