// scripts/start.sh, stop.sh and status.sh run for real with bash in a temp VIGIA_HOME.
import { afterEach, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { isProcessAlive, killQuietly, makeScriptEnv, makeVigiaHome, readText, runScript, writeStandInVigia } from "./script-harness.js";

const homes: string[] = [];
const leftovers: number[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) {
    // Stop whatever a failed test left running, by its own PID file.
    const pid = Number(readText(join(home, "logs", "vigia.pid")).trim());
    if (pid > 0) await runScript("stop.sh", makeScriptEnv(home, { STOP_GRACE_SECONDS: "2" }));
    removeDir(home);
  }
  leftovers.splice(0).forEach(killQuietly);
});

function newHome(): string {
  const home = makeVigiaHome();
  homes.push(home);
  mkdirSync(join(home, "logs"));
  return home;
}

const pidFileOf = (home: string): string => join(home, "logs", "vigia.pid");

/** The PID of a process that has certainly exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

describe("status.sh and stop.sh without a running vigia", () => {
  it("status: stopped, exit 3, and the last 10 lines of logs/monitor.log", async () => {
    const home = newHome();
    const env = makeScriptEnv(home);
    let r = await runScript("status.sh", env);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("vigia: stopped\n--- no logs/monitor.log yet ---\n");

    const lines = Array.from({ length: 15 }, (_, i) => `2025-12-25 14:3${i % 10}:00 info línea ${i + 1}`);
    writeFileSync(join(home, "logs", "monitor.log"), lines.join("\n") + "\n");
    r = await runScript("status.sh", env);
    expect(r.stdout.split("\n").slice(1, -1)).toEqual(["--- last 10 lines of logs/monitor.log ---", ...lines.slice(5)]);
    r = await runScript("status.sh", env, ["-n", "2"]);
    expect(r.stdout).toContain(`\n${lines[13]}\n${lines[14]}\n`);
    expect(r.stdout).not.toContain(lines[12]);
  });

  it("a stale PID file (dead process): status reports it, stop removes it", async () => {
    const home = newHome();
    const env = makeScriptEnv(home);
    const pid = await deadPid();
    writeFileSync(pidFileOf(home), `${pid}\n`);

    let r = await runScript("status.sh", env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`vigia: stopped (stale PID file logs/vigia.pid: PID ${pid} is not running)`);
    expect(existsSync(pidFileOf(home))).toBe(true); // status is read-only

    r = await runScript("stop.sh", env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`stop: stale PID file logs/vigia.pid: PID ${pid} is not running: removed\n`);
    expect(existsSync(pidFileOf(home))).toBe(false);

    r = await runScript("status.sh", env);
    expect(r.code).toBe(3);
    expect(r.stdout.split("\n")[0]).toBe("vigia: stopped");
  });

  it("a PID file naming a live process that is not vigia: removed, the process left alone", async () => {
    const home = newHome();
    const env = makeScriptEnv(home);
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    leftovers.push(other.pid!);
    writeFileSync(pidFileOf(home), `${other.pid}\n`);

    const status = await runScript("status.sh", env);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`PID ${other.pid} is not vigia`);

    const r = await runScript("stop.sh", env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`PID ${other.pid} is not vigia (sleep 30): removed, process left alone`);
    expect(existsSync(pidFileOf(home))).toBe(false);
    expect(isProcessAlive(other.pid!)).toBe(true);
  });

  it("stop without a PID file, and with garbage in it", async () => {
    const home = newHome();
    const env = makeScriptEnv(home);
    let r = await runScript("stop.sh", env);
    expect([r.code, r.stderr]).toEqual([0, "stop: vigia is not running (no logs/vigia.pid)\n"]);
    writeFileSync(pidFileOf(home), "not-a-pid\n");
    r = await runScript("stop.sh", env);
    expect([r.code, r.stderr]).toEqual([0, "stop: stale PID file logs/vigia.pid held no PID: removed\n"]);
    expect(existsSync(pidFileOf(home))).toBe(false);
  });
});

describe("start.sh and stop.sh with stand-ins for behaviour the real vigia does not show", () => {
  it("stop sends SIGKILL when vigia ignores SIGTERM past the grace period", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, { VIGIA_JS: writeStandInVigia(home, "stubborn"), STOP_GRACE_SECONDS: "1" });
    const start = await runScript("start.sh", env);
    expect(start.code).toBe(0);
    const pid = Number(readFileSync(pidFileOf(home), "utf8"));
    leftovers.push(pid);
    expect(isProcessAlive(pid)).toBe(true);

    const r = await runScript("stop.sh", env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`vigia (PID ${pid}) still running 1s after SIGTERM: sending SIGKILL`);
    expect(r.stderr).toMatch(/vigia stopped\n$/);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(pidFileOf(home))).toBe(false);
    expect(readText(join(home, "logs", "vigia.out"))).toContain("stand-in vigia: ignoring SIGTERM");
  });

  it("start reports a vigia that exits at once and leaves no PID file", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, { VIGIA_JS: writeStandInVigia(home, "fails") });
    const r = await runScript("start.sh", env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("start: vigia exited at once (exit 2); last lines of logs/vigia.out:");
    expect(r.stderr).toContain("stand-in vigia: invalid config");
    expect(existsSync(pidFileOf(home))).toBe(false);
  });
});

describe("start.sh → status.sh → stop.sh with the real `vigia run`", () => {
  it("start: running; stop: stopped, process gone, summary in logs/vigia.out", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, { STOP_GRACE_SECONDS: "10" });
    const start = await runScript("start.sh", env);
    expect(start.stderr).toMatch(/^start: vigia started \(PID \d+\)/);
    expect(start.code).toBe(0);
    const pid = Number(readFileSync(pidFileOf(home), "utf8"));
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toMatch(/\0--max-semi-space-size=1\0\S+bin\/vigia\.js\0run\0/);

    const running = await runScript("status.sh", env);
    expect(running.code).toBe(0);
    expect(running.stdout).toMatch(new RegExp(`^vigia: running \\(PID ${pid}, up [\\d:-]+\\) in `));

    const stop = await runScript("stop.sh", env);
    expect(stop.code).toBe(0);
    expect(stop.stderr).toBe(`stop: stopping vigia (PID ${pid}): SIGTERM, up to 10s\nstop: vigia stopped\n`);
    expect(isProcessAlive(pid)).toBe(false);

    const stopped = await runScript("status.sh", env);
    expect(stopped.code).toBe(3);
    expect(stopped.stdout.split("\n")[0]).toBe("vigia: stopped");
    // vigia printed something of its own after start.sh's header line (its session summary on SIGTERM).
    const out = readText(join(home, "logs", "vigia.out"));
    expect(out.slice(out.indexOf("start.sh:")).trim().split("\n").length).toBeGreaterThan(1);
  });

  it("start replaces a stale PID file, refuses a second start, and stop ends it", async () => {
    const home = newHome();
    const env = makeScriptEnv(home);
    const stale = await deadPid();
    writeFileSync(pidFileOf(home), `${stale}\n`);

    const first = await runScript("start.sh", env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`start: stale PID file logs/vigia.pid (${stale}; not a running vigia): removed\n`);
    const pid = Number(readFileSync(pidFileOf(home), "utf8"));
    expect(pid).not.toBe(stale);

    const second = await runScript("start.sh", env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`start: vigia is already running (PID ${pid},`);
    expect(Number(readFileSync(pidFileOf(home), "utf8"))).toBe(pid);

    expect((await runScript("stop.sh", env)).code).toBe(0);
    await waitFor(() => !isProcessAlive(pid), { what: "vigia to be gone" });
  });
});
