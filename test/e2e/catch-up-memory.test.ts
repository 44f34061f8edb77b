/**
 * A catch-up that opens thousands of incidents keeps in memory only what is open or recent, and the live journal
 * only what is recent: `vigia run --from-start` on six days of the bot's log (a new incident every two minutes,
 * each repeated a minute later) times every incident on the log's own clock, so each one leaves memory once its
 * cooldown has passed in the log — `vigia_incidents_held`, scraped on /metrics all through, never counts more than
 * those closed within the last cooldown. Every incident ends in exactly one of `logs/descarga_errors*.json`, read
 * with jq: the live file stays within its size bound, and after the age check (at each start) it holds only those
 * closed within the last day (keep_days).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, statSync } from "node:fs";
import { formatLocalIso } from "../../src/incidents/format-local-iso.js";
import { parsePrometheusText } from "../observe/metrics-prometheus-text.js";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatPythonLine, runJq, startVigia, type Workspace } from "./vigia-harness.js";

afterEach(cleanUpTest);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const COOLDOWN_MINUTES = 10;
const MAX_BYTES = 3_500_000;

const RULES = [
  "rules:",
  "  - id: cuota_excedida",
  "    match: 'Cuota excedida en el canal (?<canal>\\w+)'",
  "    key: '{canal}'",
  "    severity: warning",
  `    cooldown: ${COOLDOWN_MINUTES * 60}`,
  "    notify: never",
  "",
].join("\n");

const CONFIG = [
  "sources:",
  "  - { name: bot, path: logs/bot_central.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}' } }",
  "status: { listen: '127.0.0.1:0' }",
  "checks: { disk: null }",
  `journal_archive: { keep_days: 1, max_bytes: ${MAX_BYTES} }`,
  "",
].join("\n");

/** `2026-12-03 14:30:20,131` in local time, as Python's logging writes it. */
function formatPythonTime(ms: number): string {
  return formatLocalIso(ms).slice(0, 23).replace("T", " ").replace(".", ",");
}

/**
 * Six days of log ending half an hour ago: every two minutes a channel's quota error (an alert-only incident) and
 * its repeat a minute later (folded), among the bot's ordinary chatter. Returns when each channel's error was written.
 */
function writeBacklog(ws: Workspace, endMs: number): Map<string, number> {
  const firstSeen = new Map<string, number>();
  const chunks: string[] = [];
  let n = 0;
  for (let ms = endMs - 6 * DAY; ms < endMs; ms += 2 * MINUTE, n++) {
    const canal = `c${n}`;
    firstSeen.set(canal, ms);
    chunks.push(formatPythonLine("ERROR", `Cuota excedida en el canal ${canal}: 429 Too Many Requests`, formatPythonTime(ms)));
    for (let k = 1; k <= 8; k++) {
      chunks.push(formatPythonLine("INFO", `HTTP Request: POST http://localhost:8081/bot***/getUpdates "HTTP/1.1 200 OK"`, formatPythonTime(ms + k * 6000), "httpx"));
    }
    chunks.push(formatPythonLine("ERROR", `Cuota excedida en el canal ${canal}: 429 Too Many Requests`, formatPythonTime(ms + MINUTE)));
  }
  ws.write(BOT_LOG, chunks.join(""));
  return firstSeen;
}

interface JournaledIncident {
  id: string;
  campos: { canal: string };
  timestamp: string;
  resuelto: string;
  ocurrencias: number;
  estado: string;
}

/** Every journal file (live and archives) and its incidents, read with jq (which also proves each is valid JSON). */
async function readJournalFiles(ws: Workspace): Promise<Map<string, JournaledIncident[]>> {
  const byFile = new Map<string, JournaledIncident[]>();
  for (const name of readdirSync(ws.at("logs")).filter((f) => /^descarga_errors.*\.json$/.test(f)).sort()) {
    byFile.set(name, JSON.parse(await runJq(["-c", "[.[] | {id, campos, timestamp, resuelto, ocurrencias, estado}]", name], ws.at("logs"))) as JournaledIncident[]);
  }
  return byFile;
}

/** Each incident id and how many files hold it, from the README's recipe `jq -s add logs/descarga_errors*.json`. */
async function countCopies(ws: Workspace): Promise<Map<string, number>> {
  const names = readdirSync(ws.at("logs")).filter((f) => /^descarga_errors.*\.json$/.test(f));
  const out = await runJq(["-r", "-s", "add | .[].id", ...names], ws.at("logs"));
  const copies = new Map<string, number>();
  for (const id of out.split("\n").filter(Boolean)) copies.set(id, (copies.get(id) ?? 0) + 1);
  return copies;
}

describe("vigia run --from-start on days of backlog (e2e)", () => {
  it("holds only the incidents within their cooldown of log time, and leaves every incident in exactly one journal file", async () => {
    const ws = createWorkspace({ copyRules: false, config: CONFIG });
    ws.write("rules/cuotas.yaml", RULES);
    const endMs = Date.now() - 30 * MINUTE;
    const firstSeen = writeBacklog(ws, endMs);
    const total = firstSeen.size;

    const vigia = await startVigia(ws, ["--from-start", "--dry-run"]);
    const port = Number((await vigia.waitForLog(/status: http:\/\/127\.0\.0\.1:(\d+)\/health/))[1]);
    const samples: Array<{ held: number; lagSeconds: number; opened: number }> = [];
    await waitFor(
      async () => {
        const metrics = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
        const sample = {
          held: metrics.valueOf("vigia_incidents_held") ?? NaN,
          lagSeconds: metrics.valueOf("vigia_incident_time_lag_seconds") ?? NaN,
          opened: metrics.valueOf("vigia_incident_transitions_total", { error_type: "cuota_excedida", estado: "detectado" }) ?? 0,
        };
        samples.push(sample);
        if (metrics.valueOf("vigia_rule_matches_total", { rule: "cuota_excedida" }) !== 2 * total || sample.opened !== total) return false;
        // Every line read handled too: a stop would leave the lines still waiting for the remediation due before
        // them to the next start.
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { pipeline: { stages: Array<{ stage: string; waiting: number }> } };
        return health.pipeline.stages.filter((s) => s.stage !== "journal").every((s) => s.waiting === 0);
      },
      { what: `${total} incidents opened, each folded once, every line handled`, timeoutMs: 240_000, everyMs: 20, describe: () => `${JSON.stringify(samples.slice(-3))}\n${vigia.stderr().slice(-3000)}` },
    );
    // In cooldown at any moment: the incidents of the last 10 minutes of log (5 at one every 2 minutes), the one
    // being opened; never the thousands opened so far.
    const heldLimit = COOLDOWN_MINUTES / 2 + 2;
    expect(samples.filter((s) => !(s.held <= heldLimit))).toEqual([]);
    const last = samples.at(-1)!;
    // Incident time stands where the log ended: half an hour behind the wall clock.
    expect(last.lagSeconds).toBeGreaterThanOrEqual(29 * 60);
    expect(last.lagSeconds).toBeLessThan(60 * 60);
    expect((await vigia.stop("SIGINT")).code).toBe(0);

    // Every incident in exactly one file, dated when the log says, its repeat folded into it.
    const afterCatchUp = await readJournalFiles(ws);
    const all = [...afterCatchUp.values()].flat();
    expect(all.length).toBe(total);
    expect([...(await countCopies(ws)).values()].every((n) => n === 1)).toBe(true);
    for (const incident of all) {
      const seen = firstSeen.get(incident.campos.canal)!;
      expect([incident.campos.canal, incident.ocurrencias, incident.estado]).toEqual([incident.campos.canal, 2, "fallido"]);
      expect(Math.abs(Date.parse(incident.timestamp) - seen)).toBeLessThan(MINUTE);
    }
    // The live file stayed within its size bound: the oldest went to the archives as the catch-up went on.
    expect(afterCatchUp.size).toBeGreaterThan(1);
    expect(statSync(ws.at(JOURNAL)).size).toBeLessThanOrEqual(MAX_BYTES);

    // The age bound (checked at each start, then every ten minutes): live, only what closed within the last day.
    const restartedMs = Date.now();
    const again = await startVigia(ws);
    await waitFor(() => statSync(ws.at(JOURNAL)).mtimeMs >= restartedMs, { what: "the journal's first write after the start", timeoutMs: 60_000, describe: again.stderr });
    const archivedByMs = Date.now();
    expect((await again.stop("SIGINT")).code).toBe(0);
    const files = await readJournalFiles(ws);
    const live = files.get("descarga_errors.json")!;
    const archived = [...files].filter(([name]) => name !== "descarga_errors.json").flatMap(([, incidents]) => incidents);
    expect(live.length + archived.length).toBe(total);
    expect([...(await countCopies(ws)).values()].every((n) => n === 1)).toBe(true);
    expect(live.length).toBeGreaterThan(0);
    expect(live.filter((i) => Date.parse(i.resuelto) < restartedMs - DAY)).toEqual([]);
    expect(archived.filter((i) => Date.parse(i.resuelto) >= archivedByMs - DAY)).toEqual([]);
  });
});
