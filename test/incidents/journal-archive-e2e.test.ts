/**
 * Archiving under kill -9: a real `vigia run` moves old closed incidents from the live journal to its monthly
 * archives and is killed with SIGKILL at many points of the move (VIGIA_ARCHIVE_STEP_DELAY_MS stretches each step:
 * intent, each archive file, the live rewrite). After every kill, real jq over `logs/descarga_errors*.json` checks
 * that every file is valid JSON and no incident is lost; an incident found in two files must be one the move's
 * intent names (the next start drops its live copy). At the end, after a clean run, every id is in exactly one file.
 */
import { afterAll, afterEach, describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, JOURNAL, cleanUpAll, cleanUpTest, createWorkspace, readJournal, runBash, runJq, runVigia, startVigia, type Workspace } from "../e2e/vigia-harness.js";

afterEach(cleanUpTest);
afterAll(cleanUpAll);

const STEP_DELAY_MS = 120;
const MONTHS = ["2025-06", "2025-07", "2025-08"];
const INTENT = "logs/.descarga_errors.json.archiving";

/** A closed vigia incident as the journal stores it, closed in `month`, long past any cooldown. */
function makeClosedIncident(id: string, month: string, day: number): Record<string, unknown> {
  const detected = `${month}-${String(day).padStart(2, "0")}T10:00:00.000+02:00`;
  const closed = `${month}-${String(day).padStart(2, "0")}T10:00:03.000+02:00`;
  return {
    timestamp: detected,
    modelo: "ana",
    video: `${id}.mp4`,
    error_type: "ruta_inexistente",
    error_message: `[Errno 2] No such file or directory: 'modelos/ana/${id}.mp4'`,
    accion: "mkdir -p modelos/ana",
    estado: "solucionado",
    intento: 1,
    max_intentos: 3,
    id,
    fuente: "bot",
    archivo: "logs/bot_central.log",
    severidad: "warning",
    campos: { path: `modelos/ana/${id}.mp4` },
    ocurrencias: 1,
    clave: `modelos/ana/${id}.mp4`,
    ultima_ocurrencia: detected,
    posicion: null,
    transiciones: [
      { estado: "detectado", timestamp: detected, accion: null, intento: 0, detalle: null },
      { estado: "solucionado", timestamp: closed, accion: "mkdir -p modelos/ana", intento: 1, detalle: null },
    ],
    resuelto: closed,
    duracion_ms: 3000,
  };
}

/** Ids per journal file, read with jq (which also proves each file is valid JSON). */
async function readIdsByFile(ws: Workspace): Promise<Map<string, string[]>> {
  const names = readdirSync(ws.at("logs")).filter((n) => /^descarga_errors.*\.json$/.test(n)).sort();
  const byFile = new Map<string, string[]>();
  for (const name of names) {
    const out = await runJq(["-r", ".[].id", name], ws.at("logs"));
    byFile.set(name, out === "" ? [] : out.split("\n"));
  }
  return byFile;
}

/** How many files hold each id (`jq -s add logs/descarga_errors*.json`, as the docs' recipe reads them all). */
async function countCopies(ws: Workspace): Promise<Map<string, number>> {
  const copies = new Map<string, number>();
  for (const ids of (await readIdsByFile(ws)).values()) for (const id of ids) copies.set(id, (copies.get(id) ?? 0) + 1);
  return copies;
}

describe("journal archives under SIGKILL (e2e)", () => {
  it("a kill at any point of an archive move loses nothing, and the next start leaves each incident in exactly one file", async () => {
    const ws = createWorkspace({ config: `${BASE_CONFIG_YAML}journal_archive: { keep_days: 30 }\n` });
    ws.write("logs/bot_central.log", "");
    ws.write("logs/backend.log", "");
    ws.write(JOURNAL, "[]\n");
    const expected: string[] = [];
    let roundsWithTwoCopies = 0;
    const env = { VIGIA_ARCHIVE_STEP_DELAY_MS: String(STEP_DELAY_MS) };

    for (let round = 0; round < 8; round++) {
      // While vigia is down, the live journal gains 30 incidents that closed months ago (as if written long ago).
      const fresh = Array.from({ length: 30 }, (_, n) => makeClosedIncident(`r${round}-${n}`, MONTHS[n % 3]!, 1 + (n % 27)));
      ws.write(JOURNAL, `${JSON.stringify([...readJournal(ws), ...fresh], null, 2)}\n`);
      expected.push(...fresh.map((i) => i.id as string));

      const vigia = await startVigia(ws, [], { env });
      await vigia.waitForLog(new RegExp(`journal: archiving \\d+ closed incident`));
      // Spread over the move: before the intent, inside each archive's step, around the live rewrite.
      const offsetMs = round * 90 + Math.floor(Math.random() * 60);
      await new Promise((r) => setTimeout(r, offsetMs));
      const exit = await vigia.stop("SIGKILL");
      expect(exit.signal).toBe("SIGKILL");

      const copies = await countCopies(ws);
      const intentIds = new Set<string>(existsSync(ws.at(INTENT)) ? (JSON.parse(ws.read(INTENT)) as { ids: string[] }).ids : []);
      for (const id of expected) {
        const n = copies.get(id) ?? 0;
        expect({ id, round, offsetMs, copies: n >= 1 && n <= 2 }).toEqual({ id, round, offsetMs, copies: true });
        if (n === 2) expect({ id, namedByIntent: intentIds.has(id) }).toEqual({ id, namedByIntent: true });
      }
      if ([...copies.values()].some((n) => n === 2)) roundsWithTwoCopies++;
    }

    // A clean run finishes what the last kill interrupted and moves what is left.
    const vigia = await startVigia(ws, [], { env: { VIGIA_ARCHIVE_STEP_DELAY_MS: "0" } });
    await waitFor(() => readJournal(ws).length === 0 && !existsSync(ws.at(INTENT)), {
      what: "every old incident archived",
      timeoutMs: 60_000,
      describe: () => vigia.stderr(),
    });
    await vigia.stop("SIGTERM");

    const byFile = await readIdsByFile(ws);
    expect([...byFile.keys()]).toEqual(["descarga_errors-2025-06.json", "descarga_errors-2025-07.json", "descarga_errors-2025-08.json", "descarga_errors.json"]);
    const all = await runJq(["-r", "-s", "add | .[].id", ...byFile.keys()], ws.at("logs"));
    expect(all.split("\n").sort()).toEqual([...expected].sort());
    expect(readdirSync(ws.at("logs")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    // Each archive holds the incidents that closed in its month, in the journal's element format.
    expect(await runJq(["-r", "[.[].resuelto[0:7]] | unique | join(\",\")", "descarga_errors-2025-07.json"], ws.at("logs"))).toBe("2025-07");
    // The kills did land inside moves: some left an incident in an archive and in the live file at once.
    expect(roundsWithTwoCopies).toBeGreaterThan(0);
  }, 240_000);
});

describe("vigia report over the archives (e2e)", () => {
  it("--all reads every archive, --since a date or a duration reads the archives of the window, plain report the live journal", async () => {
    const ws = createWorkspace({ config: `${BASE_CONFIG_YAML}journal_archive: { keep_days: 30 }\n` });
    ws.write("logs/bot_central.log", "");
    ws.write("logs/backend.log", "");
    const old = [
      makeClosedIncident("junio-1", "2025-06", 3),
      makeClosedIncident("julio-1", "2025-07", 10),
      makeClosedIncident("julio-2", "2025-07", 20),
      makeClosedIncident("agosto-1", "2025-08", 5),
    ];
    const recentIso = new Date(Date.now() - 3_600_000).toISOString();
    const recent = { ...makeClosedIncident("reciente", "2025-08", 6), timestamp: recentIso, resuelto: recentIso, ultima_ocurrencia: recentIso };
    ws.write(JOURNAL, `${JSON.stringify([...old, recent], null, 2)}\n`);
    const vigia = await startVigia(ws);
    await waitFor(() => readJournal(ws).length === 1, { what: "old incidents archived", timeoutMs: 60_000, describe: () => vigia.stderr() });
    await vigia.stop("SIGTERM");

    const report = async (...args: string[]) => {
      const r = await runVigia(ws.dir, ["report", "--json", ...args]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      return JSON.parse(r.stdout) as { total: number; archives: string[]; byType: Record<string, Record<string, number>> };
    };
    expect((await report()).total).toBe(1);
    const all = await report("--all");
    expect(all.total).toBe(5);
    expect(all.byType["ruta_inexistente"]!["solucionado"]).toBe(5);
    expect(all.archives.map((a) => a.split("/").pop())).toEqual(["descarga_errors-2025-06.json", "descarga_errors-2025-07.json", "descarga_errors-2025-08.json"]);
    expect((await report("--since", "2025-07-15")).total).toBe(3); // julio-2, agosto-1, reciente
    expect((await report("--since", "2025-07-01T00:00")).total).toBe(4);
    expect((await report("--since", "2d")).total).toBe(1);

    // The text report stays Spanish, and the docs' recipe sees the same history.
    const text = await runVigia(ws.dir, ["report", "--all"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/solucionado/);
    const recipe = await runBash("jq -s add logs/descarga_errors*.json | jq length", ws.dir);
    expect(recipe.stdout.trim()).toBe("5");

    const bad = await runVigia(ws.dir, ["report", "--since", "ayer"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--since");
  }, 120_000);
});
