/**
 * A source declared without `multiline` whose log holds Python tracebacks gets each traceback line as an event of
 * its own, and rules see the traceback in pieces. vigia says so, once per source, and says what to add: `vigia run`
 * in monitor.log, `vigia test-rules` on stderr. A source that declares `multiline` hears nothing. The tracebacks
 * are the bot's real log (fixtures/bot_central.log).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BACKEND_LOG, BOT_LOG, REPO, cleanUpTest, createWorkspace, readJournal, runVigia, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

const BOT_FIXTURE = readFileSync(join(REPO, "fixtures", "bot_central.log"), "utf8");
const BACKEND_FIXTURE = readFileSync(join(REPO, "fixtures", "backend.log"), "utf8");

/** `bot` without multiline, `backend` with it; both logs hold tracebacks. */
const CONFIG = [
  "status: null",
  "checks: { disk: null }",
  "sources:",
  "  - { name: bot, path: logs/bot_central.log }",
  "  - { name: backend, path: logs/backend.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}' } }",
  "remediation: { allowed_roots: [modelos], backoff: [0.1] }",
  "",
].join("\n");

/** The advice, by the words a user needs: the source, the key to add, and a start pattern to copy. */
const ADVICE = /source (\w+): .*Python traceback.*no `multiline`.*multiline: \{ start: '/;

describe("a source without multiline that sees Python tracebacks", () => {
  it("vigia run says so once, in monitor.log, naming the source and the key to add", async () => {
    const ws = createWorkspace({ config: CONFIG });
    ws.write(BOT_LOG, "");
    ws.write(BACKEND_LOG, "");
    const vigia = await startVigia(ws);
    ws.append(BACKEND_LOG, BACKEND_FIXTURE);
    ws.append(BOT_LOG, BOT_FIXTURE);
    // The full-disk error comes after the fourth of the bot log's five tracebacks.
    await waitFor(() => readJournal(ws).some((i) => i.error_type === "disco_lleno"), { what: "the bot log read past its tracebacks", describe: vigia.stderr });
    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);

    const advice = ws
      .read("logs/monitor.log")
      .split("\n")
      .filter((line) => ADVICE.test(line));
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/\bwarn\b/);
    expect(ADVICE.exec(advice[0]!)![1]).toBe("bot");
    expect(advice[0]).toContain("logs/bot_central.log");
  });

  it("vigia test-rules says so on stderr for the source it groups with, and not for one with multiline", async () => {
    const ws = createWorkspace({ config: CONFIG });
    ws.write("logs/input.log", BOT_FIXTURE);

    const bot = await runVigia(ws.dir, ["test-rules", "logs/input.log", "--source", "bot"]);
    expect(bot.code).toBe(0);
    const advice = bot.stderr.split("\n").filter((line) => ADVICE.test(line));
    expect(advice).toHaveLength(1);
    expect(ADVICE.exec(advice[0]!)![1]).toBe("bot");
    expect(advice[0]).toMatch(/\bline 8\b/);

    const backend = await runVigia(ws.dir, ["test-rules", "logs/input.log", "--source", "backend", "--json"]);
    expect(backend.code).toBe(0);
    expect(backend.stderr).toBe("");
  });
});
