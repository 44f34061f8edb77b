/**
 * What vigia does with bad input it did not write itself: a corrupt journal at start (moved aside intact, a
 * new one started) and a broken rule edit while running (reported with file and line, last good rules kept;
 * the next valid edit takes effect within about a second). Rule reloads never die (the folder moved away and
 * back) and never block (a 2 000-rule file loads in a worker thread while lines keep reaching the journal).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, renameSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatPythonLine, readJournal, runJq, startVigia } from "./vigia-harness.js";
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
    await waitFor(
      () => readJournal(ws).some((i) => i.modelo === "nuevo"),
      { what: "an incident in the new journal", describe: vigia.stderr },
    );
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

describe("rule reloads that never die and never block (e2e)", () => {
  const floodRule = [
    "rules:",
    "  - id: limite_telegram",
    "    match: 'Flood control exceeded\\. Retry in (?<segundos>\\d+) seconds'",
    "    severity: warning",
    "    notify: never",
    "",
  ].join("\n");

  it("survives the rule folder moved away for a while and back: the stale error clears and later edits still reload", async () => {
    const ws = createWorkspace();
    const vigia = await startVigia(ws);
    const shipped = readRules(ws.at("rules", "descargas.yaml")).length;

    renameSync(ws.at("rules"), ws.at("rules-fuera"));
    await vigia.waitForLog(/rules: \S*rules:0: -: no such file or directory \(keeping the last good rules\)/);
    renameSync(ws.at("rules-fuera"), ws.at("rules"));
    await vigia.waitForLog(new RegExp(`rules reloaded: ${shipped} rule\\(s\\)`), 30_000);

    ws.write("rules/zz-extra.yaml", floodRule);
    await vigia.waitForLog(new RegExp(`rules reloaded: ${shipped + 1} rule\\(s\\)`), 30_000);
    ws.append(BOT_LOG, formatPythonLine("WARNING", "telegram.error.RetryAfter: Flood control exceeded. Retry in 17 seconds"));
    await waitFor(
      () => readJournal(ws).find((i) => i.error_type === "limite_telegram"),
      { what: "an incident of the rule added after the folder came back", describe: vigia.stderr },
    );
    const stopped = await vigia.stop();
    const afterReturn = stopped.stderr.slice(stopped.stderr.search(/rules reloaded: /));
    expect(afterReturn).not.toMatch(/ error +rules:/);
    expect(stopped.code).toBe(0);
  });

  it("keeps reading, journaling and answering /health while a 2 000-rule file loads", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: BASE_CONFIG_YAML.replace("status: null", `status: { listen: '127.0.0.1:${port}' }`) });
    ws.append(BOT_LOG, "");
    const vigia = await startVigia(ws);
    const shipped = readRules(ws.at("rules", "descargas.yaml")).length;

    // Patterns no earlier run has seen, so every one of them is checked now, as after a real edit.
    const token = randomBytes(6).toString("hex");
    const rules = ["rules:"];
    for (let i = 0; i < 2000; i++) rules.push(`  - id: masiva_${i}`, `    match: 'aviso ${token} numero ${i} de la serie'`, "    severity: info");
    ws.write("rules/zz-masiva.yaml", `${rules.join("\n")}\n`);

    // While it loads: lines keep being appended, and each must reach the journal and /health must answer.
    const reloaded = new RegExp(`rules reloaded: ${shipped + 2000} rule\\(s\\)`);
    const duringLoad: string[] = [];
    let n = 0;
    while (!reloaded.test(vigia.stderr())) {
      const modelo = `durante${n++}`;
      ws.append(BOT_LOG, missingFolderLine(`modelos/${modelo}/v.mp4`));
      const seen = await waitFor(() => readJournal(ws).some((i) => i.modelo === modelo) || reloaded.test(vigia.stderr()), {
        what: `the incident of modelos/${modelo} or the end of the load`,
        timeoutMs: 300_000,
        describe: vigia.stderr,
      });
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { rules: { loaded: number } };
      if (seen && !reloaded.test(vigia.stderr())) {
        duringLoad.push(modelo);
        expect(health.rules.loaded).toBe(shipped);
      }
    }
    // Two or more: the first line may be journaled before the load gets going.
    expect(duringLoad.length).toBeGreaterThanOrEqual(2);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { rules: { loaded: number } };
    expect(health.rules.loaded).toBe(shipped + 2000);
    expect((await vigia.stop()).code).toBe(0);
  }, 400_000);
});
