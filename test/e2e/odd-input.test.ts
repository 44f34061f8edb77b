/**
 * Input that is not plain UTF-8 with LF line ends, through a real `vigia run` on a real file: lines ended by a
 * lone CR are separate events at once; bidi overrides and line separators quoted from a log line are shown
 * escaped in monitor.log, on the console and in the Telegram message (no log spoofing).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, readJournal, startVigia } from "./vigia-harness.js";

let fake: FakeTelegram | null = null;
afterEach(async () => {
  await cleanUpTest();
  await fake?.close();
  fake = null;
});

const missingFolder = (model: string) =>
  `2025-12-25 14:30:20,131 - bot_central - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/${model}/v.mp4'`;

describe("odd input (e2e)", () => {
  it("a lone CR ends a line: two errors are two incidents, and a CRLF cut between two writes is one line end", async () => {
    const ws = createWorkspace();
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, `${missingFolder("cr1")}\r${missingFolder("cr2")}\r`);
    await waitFor(() => ["cr1", "cr2"].every((m) => readJournal(ws).some((i) => i.modelo === m)), {
      what: "one incident per CR-terminated line, before any LF is written",
      describe: () => `${JSON.stringify(readJournal(ws).map((i) => i.error_message))}\n${vigia.stderr()}`,
    });
    ws.append(BOT_LOG, `${missingFolder("crlf1")}\r`);
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "crlf1"), { what: "the incident of the CR half", describe: vigia.stderr });
    ws.append(BOT_LOG, `\n${missingFolder("crlf2")}\r\n`);
    await waitFor(
      () => readJournal(ws).some((i) => i.modelo === "crlf2"),
      { what: "the incident after the LF half", describe: vigia.stderr },
    );
    expect((await vigia.stop()).code).toBe(0);
    const journal = readJournal(ws);
    expect(journal.map((i) => i.modelo).sort()).toEqual(["cr1", "cr2", "crlf1", "crlf2"]);
    for (const incident of journal) expect(incident.error_message).toBe(missingFolder(incident.modelo!));
  });

  it.each([
    ["UTF-16LE", (t: string) => Buffer.from(t, "utf16le"), Buffer.from([0xff, 0xfe])],
    ["UTF-16BE", (t: string) => Buffer.from(t, "utf16le").swap16(), Buffer.from([0xfe, 0xff])],
  ])("decodes a %s log with its BOM, also when resuming mid-file after a restart", async (_name, encode, bom) => {
    const ws = createWorkspace();
    const first = await startVigia(ws);
    ws.write(BOT_LOG, Buffer.concat([bom, encode(`${missingFolder("utf16a")}\r\n${missingFolder("utf16b")}\r\n`)]));
    await waitFor(() => ["utf16a", "utf16b"].every((m) => readJournal(ws).some((i) => i.modelo === m)), {
      what: "an incident per UTF-16 line",
      describe: () => `${JSON.stringify(readJournal(ws).map((i) => i.error_message))}\n${first.stderr()}`,
    });
    expect((await first.stop()).code).toBe(0);

    appendFileSync(ws.at(BOT_LOG), encode(`${missingFolder("utf16c")}\r\n`));
    const second = await startVigia(ws);
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "utf16c"), {
      what: "the incident of the line written while vigia was down (resumed mid-file)",
      describe: () => `${JSON.stringify(readJournal(ws).map((i) => i.error_message))}\n${second.stderr()}`,
    });
    expect((await second.stop()).code).toBe(0);
    const journal = readJournal(ws);
    expect(journal.map((i) => i.modelo).sort()).toEqual(["utf16a", "utf16b", "utf16c"]);
    for (const incident of journal) expect(incident.error_message).toBe(missingFolder(incident.modelo!));
  });

  it("escapes bidi overrides and line separators from log values in monitor.log, the console and Telegram", async () => {
    fake = await FakeTelegram.start();
    const ws = createWorkspace({
      config: `${BASE_CONFIG_YAML}notify: { telegram: { token: '123456:odd-input', chat_id: 42, api_root: '${fake.apiRoot}' } }\n`,
    });
    const vigia = await startVigia(ws);
    const spoof = "modelos/ana/\u202egpj.mp4\u2028 2025-12-25 14:30:21,000 INFO todo bien";
    ws.append(BOT_LOG, `2025-12-25 14:30:20,131 - bot_central - ERROR - Video corrupto: ${spoof}: Invalid data found when processing input\n`);
    await waitFor(() => fake!.texts().some((t) => t.includes("corrupto")), { what: "the alert", describe: vigia.stderr });
    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);

    const monitorLog = readdirSync(ws.at("logs"))
      .filter((f) => f.startsWith("monitor"))
      .map((f) => readFileSync(ws.at("logs", f), "utf8"))
      .join("");
    const telegram = fake.texts().join("\n");
    for (const [surface, text] of Object.entries({ monitorLog, console: stopped.stderr, telegram })) {
      expect({ surface, raw: /[\u202e\u2028]/.test(text) }).toEqual({ surface, raw: false });
      expect({ surface, escaped: text.includes("\\u202egpj.mp4\\u2028") }).toEqual({ surface, escaped: true });
    }
    // The journal keeps the text as read (jq and scripts get the real characters, JSON-escaped where needed).
    expect(readJournal(ws)[0]!.error_message).toContain(spoof);
  });
});
