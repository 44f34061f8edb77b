import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { createProcessCheck } from "../../src/checks/process-check.js";
import { findPidsByPattern, isPidAlive, listOwnLineage, readPidFile, PidFileError } from "../../src/checks/find-process.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import { startDetached } from "../../src/checks/start-detached.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "../helpers/wait-for.js";

const newTempDir = useTempDirs("vigia-");

let dir: string;
let child: ChildProcess | undefined;
// A marker no other process has on its command line.
const marker = `vigia-test-bot-${process.pid}-${Date.now()}`;

/** Starts a long-running node child whose argv carries the marker (our stand-in for `python main.py`). */
async function startBot(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", marker], { stdio: "ignore" });
  await once(proc, "spawn");
  return proc;
}

async function stopBot(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGTERM");
  await exited;
}

beforeEach(() => {
  dir = newTempDir();
});
afterEach(async () => {
  if (child) await stopBot(child);
  child = undefined;
});

describe("process check by pid file", () => {
  it("is up while the child runs and proceso_caido once it exits", async () => {
    child = await startBot();
    const pidfile = join(dir, "bot.pid");
    writeFileSync(pidfile, `${child.pid}\n`);
    const check = createProcessCheck({ name: "bot", pidfile });

    const up = await runCheckOnce(check);
    expect(up).toMatchObject({ check: "process:bot", ok: true, fields: { pid: String(child.pid) } });
    expect(check.lastKnownAlive()).toBe(true);

    await stopBot(child);
    const down = await runCheckOnce(check);
    expect(down).toMatchObject({ ok: false, errorType: "proceso_caido", severity: "critical" });
    expect(down.message).toBe(`pid ${child.pid} not running`);
    expect(check.lastKnownAlive()).toBe(false);
    expect(down.fields.restart).toBeUndefined(); // no restart configured: alert only
  });

  it("treats a missing pid file as gone and a garbage one as a check error", async () => {
    const check = createProcessCheck({ name: "bot", pidfile: join(dir, "missing.pid") });
    const missing = await runCheckOnce(check);
    expect(missing.ok).toBe(false);
    expect(missing.message).toMatch(/pidfile .*missing\.pid missing/);

    const garbage = join(dir, "garbage.pid");
    writeFileSync(garbage, "not a pid");
    await expect(readPidFile(garbage)).rejects.toBeInstanceOf(PidFileError);
    const bad = await runCheckOnce(createProcessCheck({ name: "bot", pidfile: garbage }));
    expect(bad).toMatchObject({ ok: false, fields: { reason: "check_error" } });
    expect(bad.message).toMatch(/does not hold a pid/);
  });

  it("restarts the process itself, at most max_restarts within restart_window; a failed start uses no slot", async () => {
    const clock = new VirtualClock(1_000_000);
    const started: string[][] = [];
    let failNext = false;
    const check = createProcessCheck({
      name: "bot",
      pidfile: join(dir, "bot.pid"),
      restart: ["python3", "main.py", "--flag=$(rm -rf /)"],
      restartLogPath: join(dir, "bot.log"),
      maxRestarts: 2,
      restartWindowMs: 60_000,
      clock,
      start: async (spec) => {
        if (failNext) return { ok: false, error: "spawn python3 ENOENT" };
        started.push([...spec.argv]);
        return { ok: true, pid: 4242 + started.length };
      },
    });
    const first = await runCheckOnce(check);
    expect(started).toEqual([["python3", "main.py", "--flag=$(rm -rf /)"]]);
    expect(first.fields).toMatchObject({ restart_attempt: "1/2", restarted_pid: "4243" });
    expect(first.message).toMatch(/restarted 1\/2 \(pid 4243\)/);
    expect(readFileSync(join(dir, "bot.pid"), "utf8").trim()).toBe("4243"); // the next probe looks for the new pid
    await clock.advance(5_000);
    failNext = true;
    const failed = await runCheckOnce(check);
    expect(failed.fields.restart_error).toBe("spawn python3 ENOENT");
    expect(failed.fields.restart_attempt).toBeUndefined();
    failNext = false;
    await clock.advance(5_000);
    expect((await runCheckOnce(check)).fields.restart_attempt).toBe("2/2");
    await clock.advance(10_000);
    const exhausted = await runCheckOnce(check);
    expect(started).toHaveLength(2);
    expect(exhausted.fields.restart_exhausted).toBe("true");
    expect(exhausted.message).toMatch(/restart limit reached \(2 in 60 s\)/);
    await clock.advance(45_000); // the first restart (65 s ago) left the window, the second (55 s ago) has not
    expect((await runCheckOnce(check)).fields.restart_attempt).toBe("2/2");
  });

  it("in dry-run says what it would restart and starts nothing", async () => {
    const check = createProcessCheck({
      name: "bot",
      pidfile: join(dir, "bot.pid"),
      restart: ["python3", "main.py"],
      dryRun: true,
      start: async () => {
        throw new Error("must not start");
      },
    });
    const result = await runCheckOnce(check);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/dry-run: restart 1\/3 not run/);
  });
});

describe("startDetached", () => {
  it("starts the program in its own session, appends its output to the log, and leaves it running", async () => {
    const log = join(dir, "bot.log");
    writeFileSync(log, "before\n");
    const result = await startDetached({
      argv: [process.execPath, "-e", "console.log('hola'); console.error('err'); setInterval(() => {}, 1000)", marker],
      cwd: dir,
      logPath: log,
    });
    if (!result.ok) throw new Error(result.error);
    try {
      expect(await isPidAlive(result.pid)).toBe(true);
      // Field 6 of /proc/<pid>/stat is the session id: a new session led by the child itself.
      const stat = readFileSync(`/proc/${result.pid}/stat`, "utf8");
      const fieldsAfterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      expect(Number(fieldsAfterName[3])).toBe(result.pid);
      await waitFor(() => /err/.test(readFileSync(log, "utf8")), "the child's stderr in its log");
      expect(readFileSync(log, "utf8")).toMatch(/^before\n(hola\nerr|err\nhola)\n$/);
    } finally {
      process.kill(result.pid, "SIGKILL");
    }
  });

  it("reports a program that cannot start", async () => {
    const result = await startDetached({ argv: [join(dir, "missing-program")], cwd: dir, logPath: join(dir, "x.log") });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/ENOENT/) });
  });
});

describe("process check by name pattern", () => {
  it("finds the child by its command line and reports it gone after it exits", async () => {
    child = await startBot();
    const pattern = new RegExp(marker);
    expect(await findPidsByPattern(pattern)).toEqual([child.pid]);
    const check = createProcessCheck({ name: "bot", pattern });
    const up = await runCheckOnce(check);
    expect(up.ok).toBe(true);
    expect(up.fields.pid).toBe(String(child.pid));

    await stopBot(child);
    const down = await runCheckOnce(check);
    expect(down.ok).toBe(false);
    expect(down.message).toBe(`no process matches /${marker}/`);
  });

  it("never counts vigia itself or its ancestors (npx, a supervising shell)", async () => {
    const lineage = await listOwnLineage();
    expect(lineage.has(process.pid)).toBe(true);
    expect(lineage.has(process.ppid)).toBe(true);
    // Our own command line and our parent's contain "jest": excluded by default, only other processes can match.
    const pids = await findPidsByPattern(/jest/);
    for (const pid of lineage) expect(pids).not.toContain(pid);
  });

  it("needs exactly one of pidfile and pattern", () => {
    expect(() => createProcessCheck({ name: "x" })).toThrow(/exactly one/);
    expect(() => createProcessCheck({ name: "x", pidfile: "a", pattern: /a/ })).toThrow(/exactly one/);
  });
});

describe("isPidAlive", () => {
  it("is true for this process and false for an exited child", async () => {
    expect(await isPidAlive(process.pid)).toBe(true);
    const proc = await startBot();
    await stopBot(proc);
    expect(await isPidAlive(proc.pid!)).toBe(false);
  });
});
