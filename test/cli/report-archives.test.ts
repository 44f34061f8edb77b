/**
 * `vigia report` over a journal with monthly archives, as an operator runs it: the text says which files it read and
 * which window it kept, a date that does not exist is refused, a corrupt archive is named (and left alone) while
 * the live journal alone still reports, `--since` reads only the archives its window needs, and a source log or a
 * journal that is a FIFO (nothing to read, no writer) does not leave the command waiting. The archives are written
 * here as the journal writes them: JSON arrays named `descarga_errors-YYYY-MM.json` beside the live file.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir } from "../helpers/temp-dir.js";
import { killLeftovers, makeWorkdir, REPO, runVigia } from "./cli-harness.js";

/** A closed incident in the journal's element format, detected at `detected` (local time) and fixed a minute later. */
function closedIncident(id: string, detected: string): Record<string, unknown> {
  const at = new Date(detected);
  const resuelto = new Date(at.getTime() + 60_000);
  return {
    timestamp: at.toISOString(),
    modelo: "ana",
    video: null,
    error_type: "ruta_inexistente",
    error_message: "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v.mp4'",
    accion: "mkdir -p modelos/ana",
    estado: "solucionado",
    intento: 0,
    max_intentos: 3,
    id,
    fuente: "bot",
    clave: "ruta_inexistente:modelos/ana",
    transiciones: [],
    resuelto: resuelto.toISOString(),
    duracion_ms: 60_000,
  };
}

const dirs: string[] = [];
afterAll(async () => {
  await killLeftovers();
  for (const dir of dirs) removeDir(dir);
});

/** A work folder whose journal has October and November archives and one recent live incident. */
function makeJournalWithArchives(): { dir: string; logs: string } {
  const dir = makeWorkdir();
  dirs.push(dir);
  const logs = join(dir, "logs");
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, "bot_central.log"), "2025-12-25 14:30:20,123 - bot_central - ERROR - algo\n");
  writeFileSync(join(logs, "descarga_errors-2025-10.json"), `${JSON.stringify([closedIncident("oct-1", "2025-10-10T10:00")], null, 2)}\n`);
  writeFileSync(join(logs, "descarga_errors-2025-11.json"), `${JSON.stringify([closedIncident("nov-1", "2025-11-03T10:00"), closedIncident("nov-2", "2025-11-20T10:00")], null, 2)}\n`);
  writeFileSync(join(logs, "descarga_errors.json"), `${JSON.stringify([closedIncident("dic-1", "2025-12-25T14:30")], null, 2)}\n`);
  return { dir, logs };
}

describe("vigia report with archives", () => {
  it("says which files it read and which window it kept, and agrees with the docs' jq recipe", async () => {
    const { dir } = makeJournalWithArchives();
    const all = await runVigia(["report", "--all"], dir);
    expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: "" });
    expect(all.stdout).toMatch(/^Archivos leídos además del registro: descarga_errors-2025-10\.json, descarga_errors-2025-11\.json$/m);
    expect(all.stdout).toMatch(/^total +0 +0 +0 +4 +0 +4$/m);
    const recipe = execFileSync("bash", ["-c", "jq -s add logs/descarga_errors*.json | jq length"], { cwd: dir, encoding: "utf8" });
    expect(recipe.trim()).toBe("4");

    const since = await runVigia(["report", "--since", "2025-11-15"], dir);
    expect({ code: since.code, stderr: since.stderr }).toEqual({ code: 0, stderr: "" });
    expect(since.stdout).toMatch(/^Incidentes detectados desde 2025-11-15 00:00$/m);
    expect(since.stdout).toMatch(/^total +0 +0 +0 +2 +0 +2$/m);

    const live = await runVigia(["report"], dir);
    expect(live.stdout).not.toMatch(/Archivos leídos|detectados desde/);
    expect(live.stdout).toMatch(/^total +0 +0 +0 +1 +0 +1$/m);

    const json = JSON.parse((await runVigia(["report", "--json", "--since", "2025-11-15T00:00"], dir)).stdout) as { total: number; since: string | null };
    expect(json.total).toBe(2);
    expect(json.since).toBe(new Date("2025-11-15T00:00").toISOString());
  });

  it("refuses a date that does not exist, such as month 13, as a usage error", async () => {
    const { dir } = makeJournalWithArchives();
    for (const bad of ["2025-13-01", "2025-00-10", "2025-02-30", "2025-04-31T08:00", "2025-12-01T24:30"]) {
      const r = await runVigia(["report", "--since", bad], dir);
      expect({ bad, code: r.code, stdout: r.stdout }).toEqual({ bad, code: 2, stdout: "" });
      expect(r.stderr).toContain(`--since: expected a duration like 30m, 2h or 1d, or a date like 2025-12-01 or 2025-12-01T08:00, got '${bad}'`);
    }
  });

  it("names a corrupt archive and leaves it alone; the live journal alone and a window that does not need it still report", async () => {
    const { dir, logs } = makeJournalWithArchives();
    const october = join(logs, "descarga_errors-2025-10.json");
    writeFileSync(october, '[{"id": "oct-1", "estado": "solucion');
    for (const args of [["--all"], ["--since", "2025-10-20"]]) {
      const r = await runVigia(["report", ...args], dir);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 1, stdout: "" });
      expect(r.stderr).toMatch(new RegExp(`^vigia report: ${october.replaceAll(".", "\\.")} is not a readable journal archive: .+`, "m"));
    }
    expect(readFileSync(october, "utf8")).toBe('[{"id": "oct-1", "estado": "solucion');
    expect((await runVigia(["report"], dir)).code).toBe(0);
    // Incidents detected since November 15 closed in November or later: October's archive is not needed, nor read.
    const since = await runVigia(["report", "--json", "--since", "2025-11-15"], dir);
    expect({ code: since.code, stderr: since.stderr }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(since.stdout) as { archives: string[] }).archives.map((a) => a.split("/").pop())).toEqual(["descarga_errors-2025-11.json"]);
  });

  it("does not wait on a FIFO source log: it is reported unreadable; a journal given through a pipe is read", async () => {
    const { dir, logs } = makeJournalWithArchives();
    execFileSync("mkfifo", [join(logs, "backend.log")]);
    writeFileSync(join(dir, "vigia.config.yaml"), `${readFileSync(join(dir, "vigia.config.yaml"), "utf8")}\nsources:\n  - { name: bot, path: logs/bot_central.log }\n  - { name: backend, path: logs/backend.log }\n`);
    const r = await runVigia(["report", "--all"], dir);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^ {2}backend +no se puede leer \(no es un archivo normal \(ENOTREGULAR\)\) +\S+backend\.log$/m);
    expect(r.stdout).toMatch(/^ {2}bot +1 errores/m);

    // `vigia report <(ssh host cat logs/descarga_errors.json)`: the journal is a pipe.
    const piped = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn("bash", ["-c", `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO, "bin", "vigia.js"))} report --json <(cat logs/descarga_errors.json)`], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(piped.code).toBe(0);
    expect((JSON.parse(piped.stdout) as { total: number }).total).toBe(1);
  });
});
