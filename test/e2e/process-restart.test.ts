/**
 * A crashed bot is restarted by the `process` check and stays up: real python3 processes killed with SIGKILL, the
 * real vigia daemon, the fake Bot API for alerts. Real time: the bot is a real OS process, so "still alive later" is
 * what vigia's own process check found when it ran that much later (timeouts below only guard against hangs).
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { findPidsByPattern, isPidAlive } from "../../src/checks/find-process.js";
import { readCheckHistory } from "../../src/observe/check-history.js";
import { startDetached } from "../../src/checks/start-detached.js";
import { escapeRegExp } from "../../src/util/template.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { cleanUpTest, createWorkspace, readJournal, startVigia, type JournalIncident, type Workspace } from "./vigia-harness.js";

jest.setTimeout(180_000);

/**
 * How long after its recovery a restarted bot must still be found up: well past the 1 s action timeout below and
 * its kill grace, and past the ≈ 5 s after recovery at which a restart tied to its incident used to die.
 */
const OUTLIVES_RECOVERY_MS = 10_000;

const fakes: FakeTelegram[] = [];
let botPattern: RegExp | null = null;
afterEach(async () => {
  if (botPattern) for (const pid of await findPidsByPattern(botPattern)) process.kill(pid, "SIGKILL");
  botPattern = null;
  for (const f of fakes.splice(0)) await f.close();
  await cleanUpTest();
});

function processIncidents(ws: Workspace): JournalIncident[] {
  return readJournal(ws).filter((i) => i.error_type === "proceso_caido");
}

async function findBot(pattern: RegExp, notPid?: number): Promise<number> {
  return waitFor(
    async () => {
      const pids = await findPidsByPattern(pattern);
      return pids.length === 1 && pids[0] !== notPid ? pids[0] : undefined;
    },
    { what: "one bot process" },
  );
}

describe("process check restarts", () => {
  it("keeps a bot killed 3 times alive for a minute; the 4th crash in the window is fallido with an alert", async () => {
    const fake = await FakeTelegram.start();
    fakes.push(fake);
    const ws = createWorkspace({ config: null });
    ws.write("main.py", "import time\nprint('bot arrancado', flush=True)\nwhile True:\n    time.sleep(1)\n");
    const mainPy = ws.at("main.py");
    botPattern = new RegExp(`${escapeRegExp(mainPy)}$`);
    ws.write(
      "vigia.config.yaml",
      [
        "status: null",
        "sources: [{ name: bot, path: logs/bot_central.log }]",
        // A one-second action timeout: a restart still tied to an action would be killed long before the minute.
        "remediation: { allowed_roots: [modelos], action_timeout: 1 }",
        `notify: { telegram: { token: '123:abc', chat_id: '42', api_root: '${fake.apiRoot}' } }`,
        "checks:",
        "  interval: 0.3",
        "  disk: null",
        "  process:",
        `    - { name: bot, pattern: '${botPattern.source.replace(/'/g, "''")}', restart: [python3, '${mainPy}'], max_restarts: 3, restart_window: 600 }`,
        "",
      ].join("\n"),
    );
    const first = await startDetached({ argv: ["python3", mainPy], cwd: ws.dir, logPath: ws.at("logs/bot_central.log") });
    if (!first.ok) throw new Error(first.error);
    await findBot(botPattern);
    const vigia = await startVigia(ws);

    const greetings = () => readFileSync(ws.at("logs/bot_central.log"), "utf8").match(/bot arrancado/g)?.length ?? 0;
    let pid = first.pid;
    for (let crash = 1; crash <= 3; crash++) {
      // Killed once it runs its own code: the restarted bots wrote where the tailer reads, the bot's own log.
      await waitFor(() => greetings() === crash, { what: `greeting ${crash}`, timeoutMs: 20_000 });
      process.kill(pid, "SIGKILL");
      pid = await findBot(botPattern, pid);
      await waitFor(() => processIncidents(ws).filter((i) => i.estado === "solucionado").length === crash, {
        what: `incident ${crash} solucionado`,
        timeoutMs: 20_000,
        describe: () => JSON.stringify(processIncidents(ws), null, 1),
      });
    }
    const solved = processIncidents(ws);
    expect(solved.map((i) => i.estado)).toEqual(["solucionado", "solucionado", "solucionado"]);
    expect(solved.map((i) => i.error_message)).toEqual([
      expect.stringMatching(/reiniciado 1\/3 \(pid \d+\)/),
      expect.stringMatching(/reiniciado 2\/3 \(pid \d+\)/),
      expect.stringMatching(/reiniciado 3\/3 \(pid \d+\)/),
    ]);

    // A fact, not a sleep: vigia's own process check, run that long after the recovery, found this very bot up; a
    // kill due earlier (the action's timeout, the incident's close) would have come before that run.
    const recoveredMs = Date.now();
    await waitFor(
      async () =>
        (await readCheckHistory(ws.at("logs/.vigia/checks"), recoveredMs + OUTLIVES_RECOVERY_MS)).find(
          (r) => r.check === "process:bot" && r.ok && r.reason.includes(`(pid ${pid})`),
        ),
      { what: `a process check ${OUTLIVES_RECOVERY_MS} ms after the recovery that found pid ${pid} up` },
    );
    expect(await isPidAlive(pid)).toBe(true);
    expect(await findPidsByPattern(botPattern)).toEqual([pid]);
    expect(processIncidents(ws).filter((i) => i.estado !== "solucionado")).toEqual([]);
    expect(greetings()).toBe(4);

    process.kill(pid, "SIGKILL");
    const failed = await waitFor(() => processIncidents(ws).find((i) => i.estado === "fallido"), {
      what: "the 4th crash fallido",
      timeoutMs: 20_000,
      describe: () => JSON.stringify(processIncidents(ws), null, 1),
    });
    expect(failed.accion).toBe("no reiniciado: límite de reinicios");
    expect(failed.error_message).toMatch(/límite de reinicios alcanzado \(3 en 600 s\)/);
    expect(await findPidsByPattern(botPattern)).toEqual([]);
    await waitFor(() => fake.texts().some((t) => /proceso_caido/.test(t) && /fallido/.test(t)), {
      what: "a Telegram alert for the fallido incident",
      timeoutMs: 20_000,
      describe: () => fake.texts().join("\n---\n"),
    });
    await vigia.stop();
  });
});
