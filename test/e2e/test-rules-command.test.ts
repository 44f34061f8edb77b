/**
 * `vigia test-rules` (the fail2ban-regex of vigia) on the shipped fixtures, checked against an independent
 * reading of the same files (rule-oracle.ts) and against `grep -n` for a known event.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, cleanUpTest, createWorkspace, runVigia } from "./vigia-harness.js";
import { PYTHON_START, countByRule, groupEvents, matchEvents, readLogLines, readRules } from "./rule-oracle.js";

afterEach(cleanUpTest);

const BOT_FIXTURE = join(REPO, "fixtures", "bot_central.log");
const BACKEND_FIXTURE = join(REPO, "fixtures", "backend.log");

/** The `--json` contract object. */
interface TestRulesJson {
  lines: number;
  events: number;
  counts: Record<string, number>;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
}

/** What the oracle expects of `file` read as source `source` with the workspace's shipped rules. */
function predict(file: string, rulesFile: string, source: string) {
  const lines = readLogLines(file);
  const events = groupEvents(lines, PYTHON_START);
  const rules = readRules(rulesFile);
  const matches = matchEvents(events, rules, source);
  return { lines: lines.length, events: events.length, matches, counts: countByRule(matches, rules) };
}

describe("vigia test-rules (e2e)", () => {
  it("--json on fixtures/bot_central.log gives {lines, events, counts, matches} equal to an independent reading", async () => {
    const ws = createWorkspace();
    const r = await runVigia(ws.dir, ["test-rules", BOT_FIXTURE, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TestRulesJson;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["lines", "events", "counts", "matches"]));

    const expected = predict(BOT_FIXTURE, ws.at("rules", "descargas.yaml"), "bot");
    expect(report.lines).toBe(expected.lines);
    expect(report.events).toBe(expected.events);
    expect(report.counts).toEqual(expected.counts);
    expect(report.matches).toEqual(expected.matches);
    // The fixture exercises every shipped rule at least once (else the comparison proves little).
    for (const [rule, n] of Object.entries(report.counts)) expect([rule, n > 0]).toEqual([rule, true]);

    // `line` is the 1-based number of the event's first line: the FileNotFoundError traceback's header, as grep sees it.
    const grepped = execFileSync("grep", ["-n", "Error al guardar el video", BOT_FIXTURE], { encoding: "utf8" });
    const headerLine = Number(grepped.split(":")[0]);
    expect(report.matches.find((m) => m.rule === "ruta_inexistente")).toEqual({
      line: headerLine,
      rule: "ruta_inexistente",
      fields: { path: "modelos/ana/20251225_143020_a3f2b1.mp4", dir: "modelos/ana", modelo: "ana", video: "20251225_143020_a3f2b1.mp4" },
    });
  });

  it("on a big file (read in two halves at once) gives exactly what one reading gives, tracebacks at the cut included", async () => {
    const ws = createWorkspace();
    // The fixture (tracebacks, ffmpeg output, DEBUG chatter) end to end past 16 MB: big enough to be cut in two.
    const fixture = readFileSync(BOT_FIXTURE, "utf8");
    const copy = fixture.endsWith("\n") ? fixture : `${fixture}\n`;
    const big = ws.at("logs", "big.log");
    ws.write("logs/big.log", copy.repeat(Math.ceil((17 * 1024 * 1024) / Buffer.byteLength(copy))));
    const r = await runVigia(ws.dir, ["test-rules", big, "--json"], { timeoutMs: 240_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TestRulesJson;
    const expected = predict(big, ws.at("rules", "descargas.yaml"), "bot");
    expect(report.lines).toBe(expected.lines);
    expect(report.events).toBe(expected.events);
    expect(report.counts).toEqual(expected.counts);
    expect(report.matches).toEqual(expected.matches);
  }, 300_000);

  it("--source backend reads fixtures/backend.log as the backend source", async () => {
    const ws = createWorkspace();
    const r = await runVigia(ws.dir, ["test-rules", BACKEND_FIXTURE, "--source", "backend", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TestRulesJson;
    const expected = predict(BACKEND_FIXTURE, ws.at("rules", "descargas.yaml"), "backend");
    expect({ lines: report.lines, events: report.events, counts: report.counts, matches: report.matches }).toEqual(expected);
    expect(report.matches.length).toBeGreaterThan(0);
  });

  it("the human output lists the hits of every rule and sample matches with their fields", async () => {
    const ws = createWorkspace();
    const [human, json] = await Promise.all([
      runVigia(ws.dir, ["test-rules", BOT_FIXTURE]),
      runVigia(ws.dir, ["test-rules", BOT_FIXTURE, "--json"]),
    ]);
    expect(human.code).toBe(0);
    const report = JSON.parse(json.stdout) as TestRulesJson;
    const hits = human.stdout.slice(human.stdout.indexOf("Hits per rule:"));
    for (const [rule, n] of Object.entries(report.counts)) expect(hits).toMatch(new RegExp(`^\\s+${rule}\\s+${n}\\s*$`, "m"));
    const first = report.matches[0]!;
    expect(human.stdout).toContain(`line ${first.line}: ${JSON.stringify(first.fields)}`);
    expect(human.stdout).toMatch(new RegExp(`\\b${report.lines} lines in [\\d.]+ s \\(`));
  });
});
