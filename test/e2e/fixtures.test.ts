/**
 * The fixtures through the real engine (`vigia run --from-start` over fixtures/bot_central.log and
 * fixtures/backend.log, see fixture-replay.ts), checked against fixtures-expected.json; then `vigia report`
 * (JSON, table, --since) on the journal it leaves. One engine run (beforeAll) feeds every test here.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JOURNAL, REPO, cleanUpAll, cleanUpTest, runJq, runVigia, type ChildResult, type JournalIncident, type Workspace } from "./vigia-harness.js";
import { PYTHON_START, groupEvents, matchEvents, readLogLines, readRules, type OracleEvent } from "./rule-oracle.js";
import { FIXTURE_EXPECTATION as EXPECTED, HOSTILE_DIR, removeHostileDir, replayFixtures, type ExpectedEvent } from "./fixture-replay.js";

const SOURCE_OF = { "bot_central.log": "bot", "backend.log": "backend" } as const;

/** The fixture event whose first line contains the anchor; fails unless exactly one does. */
function findEvent(events: readonly OracleEvent[], e: ExpectedEvent): OracleEvent {
  const found = events.filter((ev) => ev.text.split("\n")[0]!.includes(e.first_line));
  if (found.length !== 1) throw new Error(`fixtures-expected.json: ${found.length} events of ${e.file} start with a line containing '${e.first_line}'`);
  return found[0]!;
}

let ws: Workspace;
let fixtureJournal: JournalIncident[];
let finalJournal: JournalIncident[];
let stopResult: ChildResult;

beforeAll(async () => {
  ({ ws, fixtureJournal, finalJournal, stopResult } = await replayFixtures());
}, 60_000);

afterEach(cleanUpTest);
afterAll(async () => {
  await cleanUpAll();
  removeHostileDir();
});

describe("fixtures through the engine (e2e)", () => {
  it("fixtures-expected.json agrees with the fixtures: each listed event is claimed by its rule, no unlisted event is claimed", () => {
    const rules = readRules(ws.at("rules", "descargas.yaml"));
    for (const file of ["bot_central.log", "backend.log"] as const) {
      const events = groupEvents(readLogLines(join(REPO, "fixtures", file)), PYTHON_START);
      const claimed = new Map(matchEvents(events, rules, SOURCE_OF[file]).map((m) => [m.line, m.rule]));
      const listed = new Map<number, string>();
      for (const inc of EXPECTED.incidents) {
        for (const e of inc.events.filter((x) => x.file === file)) listed.set(findEvent(events, e).line, inc.error_type);
      }
      expect(claimed).toEqual(listed);
      for (const e of EXPECTED.not_matched.filter((x) => x.file === file)) expect(claimed.has(findEvent(events, e).line)).toBe(false);
    }
  });

  it("the engine opens the expected incidents per error_type, with the expected ocurrencias, and nothing for the unmatched events", () => {
    const byType = (list: Array<{ error_type: string; n: number }>) => {
      const out: Record<string, number[]> = {};
      for (const { error_type, n } of list) (out[error_type] ??= []).push(n);
      for (const v of Object.values(out)) v.sort();
      return out;
    };
    const expected = byType(EXPECTED.incidents.map((i) => ({ error_type: i.error_type, n: i.events.length })));
    const actual = byType(fixtureJournal.map((i) => ({ error_type: i.error_type, n: i.ocurrencias })));
    expect(actual).toEqual(expected);

    // Each incident opened on one of its listed events (the journal keeps the opening event's text).
    for (const inc of fixtureJournal) {
      const candidates = EXPECTED.incidents.filter((e) => e.error_type === inc.error_type);
      const opener = candidates.find((e) => e.events.some((ev) => inc.error_message.split("\n")[0]!.includes(ev.first_line)));
      expect([inc.error_type, inc.error_message.split("\n")[0], opener !== undefined]).toEqual([inc.error_type, inc.error_message.split("\n")[0], true]);
    }
    for (const e of EXPECTED.not_matched) expect(fixtureJournal.some((i) => i.error_message.includes(e.first_line))).toBe(false);
  });

  it("a fix outside remediation.allowed_roots is refused: the incident ends fallido and nothing is created", () => {
    const refused = finalJournal.find((i) => i.campos["dir"] === HOSTILE_DIR);
    expect(refused?.estado).toBe("fallido");
    expect(existsSync(HOSTILE_DIR)).toBe(false);
    expect(existsSync(ws.at("modelos", "extra"))).toBe(true);
  });

  it("the shipped disco_lleno rule can verify free space on the working folder (disk_free is a read, not refused by the path guard)", () => {
    const disco = fixtureJournal.find((i) => i.error_type === "disco_lleno")!;
    const refusals = disco.transiciones.filter((t) => /outside_roots|allowed_roots|rechazada/.test(`${t.detalle ?? ""} ${t.accion ?? ""}`));
    expect(refusals).toEqual([]);
  });

  it("SIGTERM after the run: exit 0, the summary table on stdout matches the journal", () => {
    expect(stopResult.code).toBe(0);
    const types = [...new Set(finalJournal.map((i) => i.error_type))];
    for (const t of types) {
      const n = (estado: string) => finalJournal.filter((i) => i.error_type === t && i.estado === estado).length;
      const row = [t, n("detectado"), n("pendiente"), n("reintentando"), n("solucionado"), n("fallido")].join("\\s+");
      expect(stopResult.stdout).toMatch(new RegExp(`^${row}\\s*$`, "m"));
    }
  });
});

describe("vigia report on the engine's journal (e2e)", () => {
  /** Counts computed with jq, independently of vigia's summary code. */
  async function countWithJq(filter: string): Promise<number> {
    return Number(await runJq([filter, JOURNAL], ws.dir));
  }

  it("--json: totals, error_type × estado, fix rate and mean time to fix agree with jq over the same journal", async () => {
    const r = await runVigia(ws.dir, ["report", JOURNAL, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      total: number;
      fixed: number;
      failed: number;
      open: number;
      occurrences: number;
      byType: Record<string, Record<string, number>>;
      meanTimeToFixMs: number | null;
      successRate: number | null;
    };
    expect(report.total).toBe(await countWithJq("length"));
    expect(report.fixed).toBe(await countWithJq('[.[] | select(.estado == "solucionado")] | length'));
    expect(report.failed).toBe(await countWithJq('[.[] | select(.estado == "fallido")] | length'));
    expect(report.open).toBe(report.total - report.fixed - report.failed);
    expect(report.occurrences).toBe(await countWithJq("map(.ocurrencias) | add"));
    expect(report.fixed).toBeGreaterThan(0);
    expect(report.failed).toBeGreaterThan(0);
    expect(report.successRate).toBeCloseTo(report.fixed / (report.fixed + report.failed), 6);
    expect(report.meanTimeToFixMs).toBeCloseTo(await countWithJq('[.[] | select(.estado == "solucionado") | .duracion_ms] | add / length'), 3);
    const byTypeJq = JSON.parse(await runJq(["-c", "group_by(.error_type) | map({key: .[0].error_type, value: (group_by(.estado) | map({key: .[0].estado, value: length}) | from_entries)}) | from_entries", JOURNAL], ws.dir)) as Record<string, Record<string, number>>;
    for (const [type, estados] of Object.entries(report.byType)) {
      const nonZero = Object.fromEntries(Object.entries(estados).filter(([, n]) => n > 0));
      expect([type, nonZero]).toEqual([type, byTypeJq[type]]);
    }
    expect(Object.keys(report.byType).sort()).toEqual(Object.keys(byTypeJq).sort());
  });

  it("the human table has one row per error_type with its counts per estado and the total", async () => {
    const r = await runVigia(ws.dir, ["report", JOURNAL]);
    expect(r.code).toBe(0);
    for (const t of new Set(finalJournal.map((i) => i.error_type))) {
      const n = (estado: string) => finalJournal.filter((i) => i.error_type === t && i.estado === estado).length;
      const total = finalJournal.filter((i) => i.error_type === t).length;
      const row = [t, n("detectado"), n("pendiente"), n("reintentando"), n("solucionado"), n("fallido"), total].join("\\s+");
      expect(r.stdout).toMatch(new RegExp(`^${row}\\s*$`, "m"));
    }
  });

  it("--since keeps only incidents detected within the window", async () => {
    // The same journal with every other incident detected three days earlier.
    const old = finalJournal.map((i, k) => (k % 2 === 0 ? { ...i, timestamp: new Date(Date.parse(i.timestamp) - 3 * 86_400_000).toISOString() } : i));
    writeFileSync(ws.at("logs", "antiguo.json"), JSON.stringify(old, null, 2));
    const recent = old.filter((_, k) => k % 2 === 1).length;
    const [day, week] = await Promise.all([
      runVigia(ws.dir, ["report", "logs/antiguo.json", "--json", "--since", "1d"]),
      runVigia(ws.dir, ["report", "logs/antiguo.json", "--json", "--since", "7d"]),
    ]);
    expect((JSON.parse(day.stdout) as { total: number }).total).toBe(recent);
    expect((JSON.parse(week.stdout) as { total: number }).total).toBe(old.length);
  });
});
