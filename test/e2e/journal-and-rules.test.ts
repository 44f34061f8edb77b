/**
 * What vigia does with bad input it did not write itself: a corrupt journal at start (moved aside intact, a
 * new one started) and a broken rule edit while running (reported with file and line, last good rules kept;
 * the next valid edit takes effect within about a second).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import {
  BOT_LOG,
  cleanUpTest,
  createWorkspace,
  formatPythonLine,
  readJournal,
  runJq,
  startVigia,
  waitFor,
} from "./vigia-harness.js";
import { readRules } from "./rule-oracle.js";

afterEach(cleanUpTest);

const missingFolderLine = (path: string) =>
  formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`);

describe("corrupt journal on start (e2e)", () => {
  it("moves an unreadable journal to descarga_errors.json.corrupt-* byte for byte, warns, and starts a valid new journal", async () => {
    const ws = createWorkspace();
    const corrupt = Buffer.from('[{"broken": ');
    ws.write("logs/descarga_errors.json", corrupt);

    const vigia = await startVigia(ws);
    const moved = readdirSync(ws.at("logs")).filter((f) => f.startsWith("descarga_errors.json.corrupt-"));
    expect(moved).toHaveLength(1);
    expect(readFileSync(ws.at("logs", moved[0]!)).equals(corrupt)).toBe(true);
    expect(vigia.stderr()).toContain(moved[0]!);

    ws.append(BOT_LOG, missingFolderLine("modelos/nuevo/20251225_120000_abcdef.mp4"));
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "nuevo"), { what: "an incident in the new journal", describe: vigia.stderr });
    expect((await vigia.stop()).code).toBe(0);

    expect(await runJq(["-r", "type, length, .[0].error_type", "logs/descarga_errors.json"], ws.dir)).toBe("array\n1\nruta_inexistente");
    // The moved file is still there, untouched, after the new journal was written.
    expect(readFileSync(ws.at("logs", moved[0]!)).equals(corrupt)).toBe(true);
  });
});

describe("rule edits while running (e2e)", () => {
  it("reports a broken edit with file and line and keeps matching with the last good rules; a valid edit adding a rule takes effect", async () => {
    const ws = createWorkspace();
    const rulesFile = ws.at("rules", "descargas.yaml");
    const shipped = ws.read("rules/descargas.yaml");
    const vigia = await startVigia(ws);

    // A half-typed edit: a tab used as indentation on line 5 (YAML forbids it).
    ws.write("rules/descargas.yaml", "# editing...\nrules:\n  - id: timeout\n    match: 'Timed out'\n\tseverity: warning\n");
    const reported = await vigia.waitForLog(/(\S*descargas\.yaml):(\d+): [^\n]*/);
    expect(reported[1]!.endsWith("rules/descargas.yaml")).toBe(true);
    expect(reported[2]).toBe("5");

    // The six shipped rules still run: a ruta_inexistente line opens an incident.
    ws.append(BOT_LOG, missingFolderLine("modelos/tras_error/20251225_120000_000001.mp4"));
    await waitFor(() => readJournal(ws).find((i) => i.modelo === "tras_error"), {
      what: "an incident from the last good rules after the broken edit",
      describe: vigia.stderr,
    });
    expect(readJournal(ws).map((i) => i.error_type)).toEqual(["ruta_inexistente"]);

    // A valid edit: the shipped rules plus a new one, last in the file (first match wins, and no shipped rule
    // claims this message, so only the new rule can).
    const newRule = [
      "  - id: limite_telegram",
      "    description: Telegram's flood control refused a request",
      "    match: 'Flood control exceeded\\. Retry in (?<segundos>\\d+) seconds'",
      "    severity: warning",
      "    notify: never",
      "",
    ].join("\n");
    ws.write("rules/descargas.yaml", `${shipped.trimEnd()}\n\n${newRule}`);
    // Within a second on an idle machine; the wait only guards against a reload that never comes.
    await vigia.waitForLog(new RegExp(`rules reloaded: ${readRules(rulesFile).length} rule\\(s\\)`), 20_000);

    ws.append(BOT_LOG, formatPythonLine("WARNING", "telegram.error.RetryAfter: Flood control exceeded. Retry in 17 seconds"));
    const incident = await waitFor(() => readJournal(ws).find((i) => i.error_type === "limite_telegram"), {
      what: "an incident of the rule added by the edit",
      describe: vigia.stderr,
    });
    expect(incident.campos).toEqual({ segundos: "17" });
    expect((await vigia.stop()).code).toBe(0);
  });
});
