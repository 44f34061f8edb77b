/**
 * A bot that logs its own token (a failed request's URL) or another bot's token: vigia masks both as lines are
 * read, before matching, so neither reaches the journal (error_message, campos, clave), monitor.log, the console,
 * `vigia report` or the Telegram chat. Real `vigia run`, real tailed file, a fake Bot API grammY talks to.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runVigia, startVigia } from "./vigia-harness.js";

let fake: FakeTelegram | null = null;
afterEach(async () => {
  await cleanUpTest();
  await fake?.close();
  fake = null;
});

/** The token of the bot vigia alerts through (configured), and a real-shaped token of some other bot. */
const OWN_TOKEN = "123456:ABCDEF_secret";
const OTHER_TOKEN = "7012345678:AAE-abcdefghijklmnopqrstuvwxyz_01234";
const LEAKS = ["ABCDEF_secret", "AAE-abcdefghijklmnopqrstuvwxyz"];

/** A rule whose capture and key are the failed request's URL: the place a token would be kept. */
const SEND_FAILED_RULE = [
  "rules:",
  "  - id: envio_fallido",
  "    description: A Bot API request failed",
  "    match: 'request to (?<url>\\S+) failed'",
  "    key: '{url}'",
  "    severity: warning",
  "    notify: always",
  "",
].join("\n");

describe("secrets in log lines (e2e)", () => {
  it("masks the configured token and another bot's token before matching: journal, monitor.log, report and Telegram never hold them", async () => {
    fake = await FakeTelegram.start();
    const ws = createWorkspace({
      config: `${BASE_CONFIG_YAML}notify: { telegram: { token: '${OWN_TOKEN}', chat_id: 42, api_root: '${fake.apiRoot}' } }\n`,
    });
    ws.write("rules/envios.yaml", SEND_FAILED_RULE);
    const vigia = await startVigia(ws);

    ws.append(
      BOT_LOG,
      formatPythonLine("ERROR", `request to https://api.telegram.org/bot${OWN_TOKEN}/sendMessage failed, reason: socket hang up`) +
        formatPythonLine("ERROR", `request to https://api.telegram.org/bot${OTHER_TOKEN}/getMe failed, reason: socket hang up`) +
        formatPythonLine("ERROR", `Video corrupto: modelos/ana/v.mp4: Invalid data found when processing input (token ${OTHER_TOKEN})`) +
        // No rule claims it: an unknown error, whose samples are kept in desconocidos.json.
        formatPythonLine("ERROR", `subida rechazada por el proxy con la clave ${OWN_TOKEN}`),
    );
    await waitFor(() => readJournal(ws).length === 3 && fake!.callsTo("sendMessage").length >= 3, {
      what: "three incidents journaled and alerted",
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${vigia.stderr()}`,
    });
    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);

    const journal = readJournal(ws);
    const sent = journal.filter((i) => i.error_type === "envio_fallido");
    expect(sent.map((i) => i.campos.url).sort()).toEqual([
      "https://api.telegram.org/bot***/getMe",
      "https://api.telegram.org/bot***/sendMessage",
    ]);
    expect(sent.map((i) => i.clave).sort()).toEqual(sent.map((i) => `envio_fallido:${i.campos.url}`).sort());
    expect(journal.find((i) => i.error_type === "corrupto")?.error_message).toContain("(token ***)");

    const report = await runVigia(ws.dir, ["report"]);
    const reportJson = await runVigia(ws.dir, ["report", "--json"]);
    expect(report.code).toBe(0);
    const monitorLogs = readdirSync(ws.at("logs")).filter((f) => f.startsWith("monitor"));
    const surfaces: Record<string, string> = {
      journal: readFileSync(ws.at(JOURNAL), "utf8"),
      unknownErrors: readFileSync(ws.at("logs", "desconocidos.json"), "utf8"),
      monitorLog: monitorLogs.map((f) => readFileSync(ws.at("logs", f), "utf8")).join("\n"),
      console: stopped.stderr + stopped.stdout,
      report: report.stdout + report.stderr,
      reportJson: reportJson.stdout,
      telegram: JSON.stringify(fake.calls.map((c) => c.payload)) + fake.texts().join("\n"),
    };
    expect(surfaces.monitorLog).toContain("envio_fallido");
    expect(surfaces.unknownErrors).toContain("subida rechazada por el proxy");
    expect(surfaces.report).toContain("envio_fallido");
    expect(fake.texts().join("\n")).toContain("bot***");
    for (const [surface, text] of Object.entries(surfaces)) {
      for (const leak of LEAKS) expect({ surface, leaked: text.includes(leak) }).toEqual({ surface, leaked: false });
    }
  });
});
