// `vigia report` over a journal that a real `vigia supervise` run of the fake bot produced: the JSON summary agrees
// with the journal, the terminal table is aligned, --since filters by detection time, and a missing or corrupt
// journal is an error that leaves the file alone.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleepMs } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { FAKE_BOT, killLeftovers, makeWorkdir, readJournal, runVigia, type JournalEntry } from "./cli-harness.js";

const ESTADOS = ["detectado", "pendiente", "reintentando", "solucionado", "fallido"] as const;

interface ReportJson {
  journal: string;
  total: number;
  byEstado: Record<string, number>;
  byType: Record<string, Record<string, number>>;
  fixed: number;
  failed: number;
  open: number;
  successRate: number | null;
  meanTimeToFixMs: number | null;
  medianTimeToFixMs: number | null;
  topKeys: Array<{ key: string; errorType: string; incidents: number; occurrences: number }>;
  slowest: Array<{ id: string; error_type: string; duracion_ms: number }>;
  timeline: Array<{ bucket: string; count: number }>;
}

/** The end column of each cell of a table row (cells are separated by two or more spaces). */
function findCellEnds(row: string): number[] {
  return [...row.matchAll(/\S+(?: \S+)*/g)].map((m) => m.index! + m[0].length);
}

describe("vigia report", () => {
  let dir: string;
  let journalPath: string;
  let journal: JournalEntry[];

  beforeAll(async () => {
    dir = makeWorkdir();
    journalPath = join(dir, "logs", "descarga_errors.json");
    // Without --forever the bot ends after its retries and vigia with it.
    const run = await runVigia(["supervise", "--", "python3", FAKE_BOT, "--scenario", "errors", "--root", dir, "--retry-after", "0.5"], dir);
    expect(run.code).toBe(0);
    journal = readJournal(journalPath);
  }, 30_000);
  afterAll(async () => {
    await killLeftovers();
    removeDir(dir);
  });

  it("--json summarises the journal: totals, error_type × estado, success rate, time to fix, timeline", async () => {
    const r = await runVigia(["report", journalPath, "--json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    // The run left incidents in several states: something to summarise.
    expect(journal.some((e) => e.estado === "solucionado")).toBe(true);
    expect(new Set(journal.map((e) => e.error_type)).size).toBeGreaterThan(1);

    expect(report.journal).toBe(journalPath);
    expect(report.total).toBe(journal.length);
    for (const estado of ESTADOS) expect(report.byEstado[estado]).toBe(journal.filter((e) => e.estado === estado).length);
    const types = [...new Set(journal.map((e) => e.error_type))];
    expect(Object.keys(report.byType).sort()).toEqual(types.sort());
    for (const type of types) {
      for (const estado of ESTADOS) {
        expect(report.byType[type]![estado]).toBe(journal.filter((e) => e.error_type === type && e.estado === estado).length);
      }
    }
    const fixed = journal.filter((e) => e.estado === "solucionado");
    const failed = journal.filter((e) => e.estado === "fallido");
    expect(report.successRate).toBeCloseTo(fixed.length / (fixed.length + failed.length), 10);
    const durations = fixed.map((e) => e.duracion_ms!);
    expect(report.meanTimeToFixMs).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 6);
    expect(report.slowest[0]!.duracion_ms).toBe(Math.max(...durations));
    // Timeline: every detection counted once, in minute buckets (the run lasted seconds).
    expect(report.timeline.reduce((a, t) => a + t.count, 0)).toBe(journal.length);
    for (const t of report.timeline) expect(t.bucket).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  });

  it("prints an aligned error_type × estado table for the terminal (journal taken from the config)", async () => {
    const r = await runVigia(["report"], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const headerAt = lines.findIndex((l) => l.startsWith("error_type"));
    expect(headerAt).toBeGreaterThanOrEqual(0);
    const header = lines[headerAt]!;
    expect(header.split(/\s{2,}/)).toEqual(["error_type", ...ESTADOS, "total"]);
    const table = lines.slice(headerAt, lines.indexOf("", headerAt));
    // header, rule, one row per error_type, rule, total
    expect(table).toHaveLength(new Set(journal.map((e) => e.error_type)).size + 4);
    const ends = findCellEnds(header);
    // Every row (type rows, the total row, the rules) has its right-aligned count columns end where the header's do.
    for (const row of table) expect(findCellEnds(row).slice(1)).toEqual(ends.slice(1));
    for (const type of new Set(journal.map((e) => e.error_type))) {
      const row = table.find((l) => l.startsWith(`${type} `));
      expect(row?.trim().split(/\s+/)).toEqual([type, ...ESTADOS.map((s) => String(journal.filter((e) => e.error_type === type && e.estado === s).length)), String(journal.filter((e) => e.error_type === type).length)]);
    }
    expect(table[table.length - 1]!.trim().split(/\s+/)).toEqual(["total", ...ESTADOS.map((s) => String(journal.filter((e) => e.estado === s).length)), String(journal.length)]);
    const fixed = journal.filter((e) => e.estado === "solucionado").length;
    const failed = journal.filter((e) => e.estado === "fallido").length;
    expect(r.stdout).toContain(`éxito: ${((fixed / (fixed + failed)) * 100).toFixed(1)} %`);
    expect(r.stdout).toContain("Cronología (detecciones):");
    // One language on this surface: the admin's.
    for (const english of ["Journal:", "Slowest fixes", "Most frequent keys", "Timeline", "incident(s)"]) expect(r.stdout).not.toContain(english);
    expect(r.stdout).toContain("Recomendaciones:");
  });

  it("--since keeps only the incidents detected within the window", async () => {
    const newestMs = Math.max(...journal.map((e) => Date.parse(e.timestamp)));
    await sleepMs(Math.max(0, newestMs + 1100 - Date.now()));
    const recent = await runVigia(["report", journalPath, "--json", "--since", "1s"], dir);
    expect(recent.code).toBe(0);
    const none = JSON.parse(recent.stdout) as ReportJson;
    expect(none.total).toBe(0);
    expect(none.timeline).toEqual([]);
    const hour = JSON.parse((await runVigia(["report", journalPath, "--json", "--since", "1h"], dir)).stdout) as ReportJson;
    expect(hour.total).toBe(journal.length);
  });

  it("rejects a malformed --since as a usage error, before reading anything", async () => {
    for (const journal of [journalPath, join(dir, "logs", "no-such-journal.json")]) {
      const r = await runVigia(["report", journal, "--since", "ayer"], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^vigia report: --since: expected a duration/);
    }
  });

  it("exits 1 with a clear message when the journal does not exist, creating nothing", async () => {
    const missing = join(dir, "logs", "no-such-journal.json");
    const r = await runVigia(["report", missing], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`vigia report: cannot read ${missing}: no such file or directory\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(missing)).toBe(false);
  });

  it("exits 1 on a corrupt journal and leaves the file untouched", async () => {
    const corrupt = join(dir, "logs", "corrupt.json");
    const text = readFileSync(journalPath, "utf8");
    writeFileSync(corrupt, text.slice(0, Math.floor(text.length / 2)));
    const before = { bytes: readFileSync(corrupt), mtimeMs: statSync(corrupt).mtimeMs };
    const r = await runVigia(["report", corrupt], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${corrupt} is not a valid journal`);
    expect(readFileSync(corrupt).equals(before.bytes)).toBe(true);
    expect(statSync(corrupt).mtimeMs).toBe(before.mtimeMs);
  });

  it("reports the config's corrupt journal the same way, without repairing it", async () => {
    const copy = join(dir, "journal-backup.json");
    copyFileSync(journalPath, copy);
    writeFileSync(journalPath, "[{\"estado\": ");
    try {
      const r = await runVigia(["report"], dir);
      expect(r.code).toBe(1);
      expect(readFileSync(journalPath, "utf8")).toBe("[{\"estado\": ");
    } finally {
      copyFileSync(copy, journalPath);
    }
  });

  it("totals the error and warning lines of each source log, as the seed's analyzer did", async () => {
    const r = await runVigia(["report", "--json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson & { sources: Array<{ source: string; errors: number; warnings: number; lines: number; unreadable: string | null }> };
    const bot = report.sources.find((s) => s.source === "bot")!;
    const lines = readFileSync(join(dir, "logs", "bot_central.log"), "utf8").split("\n").filter((l) => l !== "");
    expect(bot.lines).toBe(lines.length);
    expect(bot.errors).toBe(lines.filter((l) => / - (ERROR|CRITICAL) - /.test(l)).length);
    expect(bot.warnings).toBe(lines.filter((l) => / - WARNING - /.test(l)).length);
    expect(bot.errors).toBeGreaterThan(0);
    const text = await runVigia(["report"], dir);
    expect(text.stdout).toMatch(new RegExp(`Errores y avisos por log:\\n  bot\\s+${bot.errors} errores\\s+${bot.warnings} avisos`));
  });

  it("recommends from the numbers: a type that repeats over days names its likely cause", async () => {
    const repeated = join(dir, "logs", "repeated.json");
    const days = ["2025-12-20", "2025-12-21", "2025-12-22"];
    const elements = Array.from({ length: 12 }, (_, i) => ({
      timestamp: `${days[i % 3]}T10:${String(i).padStart(2, "0")}:00.000+01:00`,
      error_type: "permisos",
      estado: "solucionado",
      id: `p${i}`,
      duracion_ms: 500,
      ocurrencias: 1,
      clave: `modelos/ana/v${i}.mp4`,
      campos: { path: `modelos/ana/v${i}.mp4` },
    }));
    writeFileSync(repeated, JSON.stringify(elements));
    const r = await runVigia(["report", repeated], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  - permisos se repite 12 veces en 3 días: algo reinicia el dueño de modelos/.");
  });

  it("--html writes one self-contained page and --save keeps logs/analysis_YYYYMMDD_HHMMSS.txt and .html", async () => {
    const out = join(dir, "informe.html");
    const r = await runVigia(["report", "--html", out, "--save"], dir);
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="es">');
    // Nothing the page could load: no src, no link, no url() — only inline style and SVG.
    expect(html).not.toMatch(/<script|<link|\bsrc=|url\(|@import/i);
    expect(html).toContain("Content-Security-Policy");
    const saved = readdirSync(join(dir, "logs")).filter((n) => /^analysis_\d{8}_\d{6}\.(txt|html)$/.test(n));
    expect(saved.map((n) => n.slice(-4)).sort()).toEqual([".txt", "html"]);
    const txt = readFileSync(join(dir, "logs", saved.find((n) => n.endsWith(".txt"))!), "utf8");
    expect(txt).toContain("Registro de incidentes:");
    expect(r.stdout.trim()).toBe(txt.trim());
  });
});
