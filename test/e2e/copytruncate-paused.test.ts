/**
 * What an operator sees when logrotate's copytruncate runs twice while `vigia run` cannot look (a stopped process, a
 * machine under load): the real logrotate with `copytruncate` and `rotate 2` rotates the bot's log twice while vigia
 * is stopped (SIGSTOP) and the bot keeps writing; after SIGCONT every error written, in the copy vigia was reading
 * (now `.2`), in the newer copy (`.1`) and in the log, is in the journal.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "./vigia-harness.js";

const LOGROTATE = "/usr/sbin/logrotate";
const run = promisify(execFile);

afterEach(cleanUpTest);

/** One error line per video, each its own incident (`modelo` m_<n>). */
function errorsFor(from: number, count: number): string {
  let text = "";
  for (let n = from; n < from + count; n++) {
    text += formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: 'modelos/m_${n}/20251225_120000_abcdef.mp4'`);
  }
  return text;
}

describe("copytruncate while vigia is stopped (e2e)", () => {
  it("two logrotate runs while stopped: every error on disk reaches the journal once vigia runs again", async () => {
    if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is missing: install logrotate (apt-get install logrotate) to run this test`);
    const ws = createWorkspace();
    ws.write(BOT_LOG, "");
    const conf = ws.at("logrotate.conf");
    writeFileSync(conf, `${ws.at(BOT_LOG)} {\n  copytruncate\n  rotate 2\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
    const rotate = () => run(LOGROTATE, ["-f", "-s", ws.at("logrotate.state"), conf]);
    const vigia = await startVigia(ws, ["--dry-run"]);
    const journaled = () => new Set(readJournal(ws).map((incident) => incident.modelo));

    ws.append(BOT_LOG, errorsFor(1, 10));
    await waitFor(() => journaled().has("m_10"), { what: "the first errors in the journal", describe: vigia.stderr });
    process.kill(vigia.child.pid!, "SIGSTOP");
    try {
      ws.append(BOT_LOG, errorsFor(11, 10)); // after vigia's last read: only in the copy, `.2` by the end
      await rotate();
      ws.append(BOT_LOG, errorsFor(21, 10)); // a content vigia never sees in the log: only in `.1`
      await rotate();
      ws.append(BOT_LOG, errorsFor(31, 10));
    } finally {
      process.kill(vigia.child.pid!, "SIGCONT");
    }
    const expected = Array.from({ length: 40 }, (_, i) => `m_${i + 1}`);
    await waitFor(() => expected.every((modelo) => journaled().has(modelo)), {
      what: "every error written in the journal",
      describe: () => `missing: ${expected.filter((modelo) => !journaled().has(modelo)).join(" ")}\n${vigia.stderr()}`,
    });
    expect((await vigia.stop()).code).toBe(0);
    const incidents = readJournal(ws);
    expect(incidents.map((incident) => incident.modelo).sort()).toEqual([...expected].sort());
  });
});
