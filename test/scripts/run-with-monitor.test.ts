// scripts/run-with-monitor.sh run for real: the fake bot and vigia side by side in a temp VIGIA_HOME.
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { FAKE_BOT, SCRIPTS, isProcessAlive, killQuietly, makeScriptEnv, makeVigiaHome, readText, startProcess, writeStandInVigia } from "./script-harness.js";

const homes: string[] = [];
const leftovers: number[] = [];
afterEach(() => {
  leftovers.splice(0).forEach(killQuietly);
  homes.splice(0).forEach(removeDir);
});

function newHome(): string {
  const home = makeVigiaHome();
  homes.push(home);
  return home;
}

/** Starts the script; `pidOf("bot" | "vigia")` reads the PID it announced ("started bot (PID 123): …"). */
function startScript(env: NodeJS.ProcessEnv, args: string[] = []) {
  const run = startProcess("bash", [join(SCRIPTS, "run-with-monitor.sh"), ...args], env);
  leftovers.push(run.child.pid!);
  const pidOf = (name: "bot" | "vigia"): number | undefined => {
    const m = new RegExp(`run-with-monitor: started ${name} \\(PID (\\d+)\\)`).exec(run.output());
    return m ? Number(m[1]) : undefined;
  };
  const waitForPid = async (name: "bot" | "vigia"): Promise<number> => {
    await waitFor(() => pidOf(name) !== undefined || run.child.exitCode !== null, `${name} to start`);
    const pid = pidOf(name);
    if (pid === undefined) throw new Error(`${name} not started; output:\n${run.output()}`);
    leftovers.push(pid);
    return pid;
  };
  return { ...run, waitForPid };
}

const foreverBot = `python3 ${FAKE_BOT} --scenario ok --forever --heartbeat 0.1`;

describe("run-with-monitor.sh with the real `vigia run`", () => {
  it("SIGINT stops the bot, then vigia; both are gone and the exit code is the bot's", async () => {
    const home = newHome();
    const botLog = join(home, "logs", "bot_central.log");
    const env = makeScriptEnv(home, { BOT_CMD: foreverBot, VIGIA_WARMUP_SECONDS: "1", STOP_GRACE_SECONDS: "10" });
    const run = startScript(env);
    const vigiaPid = await run.waitForPid("vigia");
    const botPid = await run.waitForPid("bot");
    await waitFor(() => readText(botLog).includes("Heartbeat 2:"), "the bot's heartbeats in its log");
    expect(isProcessAlive(vigiaPid)).toBe(true);

    process.kill(run.child.pid!, "SIGINT");
    const r = await run.done;
    expect(r.stderr).toContain("run-with-monitor: got SIGINT: stopping the bot, then vigia\n");
    expect(r.stderr).toContain("run-with-monitor: bot stopped (exit 0)\n");
    expect(r.stderr).toContain("run-with-monitor: vigia stopped (exit 0)\n");
    expect(r.stderr.indexOf("bot stopped")).toBeLessThan(r.stderr.indexOf("vigia stopped"));
    expect(r.code).toBe(0);
    expect(isProcessAlive(botPid)).toBe(false);
    expect(isProcessAlive(vigiaPid)).toBe(false);
    const lines = readText(botLog).trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.at(-1)).toMatch(/ - bot_central - INFO - Bot detenido \(SIGTERM\)$/);
  });

  it("when the bot ends by itself (command after --), vigia is stopped and the bot's code returned", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, { VIGIA_WARMUP_SECONDS: "1" });
    const run = startScript(env, ["--", "python3", FAKE_BOT, "--scenario", "ok", "--exit-code", "7"]);
    const vigiaPid = await run.waitForPid("vigia");
    const r = await run.done;
    expect(r.stderr).toContain("run-with-monitor: bot exited (exit 7)\n");
    expect(r.stderr).toContain("run-with-monitor: vigia stopped (exit 0)\n");
    expect(r.code).toBe(7);
    expect(isProcessAlive(vigiaPid)).toBe(false);
    expect(readText(join(home, "logs", "bot_central.log"))).toMatch(/INFO - Descarga exitosa: modelos\/sofia\/\S+ \(18\.4 MB\)\n$/);
  });
});

describe("run-with-monitor.sh with stand-ins for behaviour the real vigia does not show", () => {
  it("does not start the bot when vigia fails at start-up, and exits with vigia's code", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, { BOT_CMD: foreverBot, VIGIA_JS: writeStandInVigia(home, "fails") });
    const r = await startScript(env).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stand-in vigia: invalid config");
    expect(r.stderr).toContain("run-with-monitor: vigia exited during start-up (exit 2); the bot was not started\n");
    expect(existsSync(join(home, "logs", "bot_central.log"))).toBe(false);
  });

  it("SIGTERM: a vigia that ignores SIGTERM is killed after the grace period; the bot's code is kept", async () => {
    const home = newHome();
    const env = makeScriptEnv(home, {
      BOT_CMD: `${foreverBot} --exit-code 4`,
      VIGIA_JS: writeStandInVigia(home, "stubborn"),
      VIGIA_WARMUP_SECONDS: "0",
      STOP_GRACE_SECONDS: "1",
    });
    const run = startScript(env);
    const vigiaPid = await run.waitForPid("vigia");
    const botPid = await run.waitForPid("bot");
    await waitFor(() => readText(join(home, "logs", "bot_central.log")).includes("Heartbeat 1:"), "a heartbeat");

    process.kill(run.child.pid!, "SIGTERM");
    const r = await run.done;
    expect(r.stderr).toContain("run-with-monitor: bot stopped (exit 4)\n");
    expect(r.stderr).toContain(`run-with-monitor: vigia (PID ${vigiaPid}) still running 1s after SIGTERM: sending SIGKILL\n`);
    expect(r.stderr).toContain("run-with-monitor: vigia stopped (exit 137)\n");
    expect(r.code).toBe(4);
    expect(isProcessAlive(botPid)).toBe(false);
    expect(isProcessAlive(vigiaPid)).toBe(false);
  });
});
