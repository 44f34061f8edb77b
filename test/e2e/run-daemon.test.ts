/**
 * `vigia run` as a user runs it: a child process in a deployment-like folder, lines appended to the bot's log,
 * incidents read back from logs/descarga_errors.json: a FileNotFoundError traceback makes vigia create the
 * model's folder and journal the incident `solucionado`.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readFileSync, rmSync, statSync } from "node:fs";
import { itUnless } from "../helpers/environment.js";
import { fillFilesystem, mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";
import { waitFor } from "../helpers/wait-for.js";
import {
  BACKEND_LOG,
  BOT_LOG,
  cleanUpTest,
  createWorkspace,
  findFreePort,
  formatFileNotFoundTraceback,
  formatPythonLine,
  readJournal,
  runJq,
  startVigia,
  type JournalIncident,
  type Workspace,
} from "./vigia-harness.js";

afterEach(cleanUpTest);

function readIfExists(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const ANA_VIDEO = "modelos/ana/20251225_143020_a3f2b1.mp4";

/** A one-line FileNotFoundError record (rule ruta_inexistente) for `path`. */
const missingFolderLine = (path: string) =>
  formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`);

const findByVideo = (ws: Workspace, video: string): JournalIncident | undefined =>
  readJournal(ws).find((i) => i.video === video);

describe("vigia run (e2e)", () => {
  it("follows a log created after start: a FileNotFoundError traceback is ONE incident, modelos/ana/ is created and the incident ends solucionado; SIGTERM exits 0 with a summary", async () => {
    const ws = createWorkspace();
    const vigia = await startVigia(ws);
    // The bot's log does not exist yet: vigia waits for it and reads it from its first byte.
    ws.append(BOT_LOG, formatPythonLine("INFO", `Descargando video para modelo ana: ${ANA_VIDEO}`, "2025-12-25 14:30:20,118"));
    ws.append(BOT_LOG, formatFileNotFoundTraceback(ANA_VIDEO));

    const incident = await waitFor(() => readJournal(ws).find((i) => i.estado === "solucionado"), {
      what: "the ruta_inexistente incident to be solucionado in the journal",
      timeoutMs: 15_000,
      describe: () => `journal: ${JSON.stringify(readJournal(ws), null, 1)}\nstderr:\n${vigia.stderr()}`,
    });
    expect(statSync(ws.at("modelos", "ana")).isDirectory()).toBe(true);

    // The whole traceback is one event: one incident, whose message holds the header and the exception line.
    const journal = readJournal(ws);
    expect(journal).toHaveLength(1);
    expect(incident).toMatchObject({
      error_type: "ruta_inexistente",
      modelo: "ana",
      video: "20251225_143020_a3f2b1.mp4",
      fuente: "bot",
      ocurrencias: 1,
      campos: { path: ANA_VIDEO, dir: "modelos/ana", modelo: "ana", video: "20251225_143020_a3f2b1.mp4" },
    });
    expect(incident.error_message.split("\n")).toHaveLength(5);
    expect(incident.error_message).toContain("Error al guardar el video");
    expect(incident.error_message).toContain(`FileNotFoundError: [Errno 2] No such file or directory: '${ANA_VIDEO}'`);

    // Its transitions: detected first, solved last, and the mkdir that fixed it recorded on the way.
    const estados = incident.transiciones.map((t) => t.estado);
    expect(estados[0]).toBe("detectado");
    expect(estados[estados.length - 1]).toBe("solucionado");
    // The seed's flow: the fix runs at once (pendiente, intento 0) and holds, so no retry was needed.
    expect(estados).toEqual(["detectado", "pendiente", "solucionado"]);
    expect(incident.transiciones.some((t) => t.accion === "mkdir -p modelos/ana")).toBe(true);
    expect(typeof incident.resuelto).toBe("string");
    expect(incident.duracion_ms).toBeGreaterThanOrEqual(0);

    const result = await vigia.stop("SIGTERM");
    expect(result.code).toBe(0);
    // The session summary (counts by error_type × estado) goes to stdout.
    expect(result.stdout).toMatch(/^ruta_inexistente\s+0\s+0\s+0\s+1\s+0\s*$/m);
    // logs/monitor.log (a symlink to the daily file) keeps what the console showed: banner and incident.
    const monitorLog = ws.read("logs/monitor.log");
    expect(monitorLog).toMatch(/rules: \d+ from rules\/descargas\.yaml/);
    expect(monitorLog).toContain(`incident ${incident.id} ruta_inexistente → solucionado`);
    // The journal left behind is valid JSON for jq too.
    expect(await runJq(["-r", "map(.error_type + \" \" + .estado) | .[]", "logs/descarga_errors.json"], ws.dir)).toBe("ruta_inexistente solucionado");
  });

  it("reads a log that existed before start from its end by default, and from its beginning with --from-start", async () => {
    const old = "modelos/antes/20251224_090000_000001.mp4";
    const fresh = "modelos/despues/20251225_100000_000002.mp4";
    const [byDefault, fromStart] = [createWorkspace(), createWorkspace()];
    for (const ws of [byDefault, fromStart]) {
      ws.append(BOT_LOG, formatPythonLine("INFO", "Bot iniciado", "2025-12-24 08:59:59,000"));
      ws.append(BOT_LOG, missingFolderLine(old));
    }
    const [a, b] = await Promise.all([startVigia(byDefault), startVigia(fromStart, ["--from-start"])]);
    for (const ws of [byDefault, fromStart]) ws.append(BOT_LOG, missingFolderLine(fresh));

    // Lines are processed in file order: once the new line's incident exists, the old line was either read
    // before it or never will be.
    for (const [ws, vigia] of [[byDefault, a], [fromStart, b]] as const) {
      await waitFor(() => findByVideo(ws, "20251225_100000_000002.mp4"), {
        what: "the incident of the line appended after start",
        describe: () => vigia.stderr(),
      });
    }
    expect(readJournal(byDefault).map((i) => i.campos["path"])).toEqual([fresh]);
    expect(readJournal(fromStart).map((i) => i.campos["path"])).toEqual([old, fresh]);

    const [ra, rb] = await Promise.all([a.stop(), b.stop()]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(readJournal(byDefault)).toHaveLength(1);
    expect(readJournal(fromStart)).toHaveLength(2);
  });

  itUnless(whyNoTmpfs())("a full journal filesystem: /health degraded with an alert incident, SIGTERM still exits and says the lines will be read again, and the next start records them", async () => {
    const ws = createWorkspace({ config: null });
    const unmount = mountTmpfs(ws.at("diario"), "64k");
    try {
      const port = await findFreePort();
      ws.write(
        "vigia.config.yaml",
        ["status: { listen: '127.0.0.1:" + port + "' }", "journal: diario/descarga_errors.json", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", "  backoff: [0.1, 0.2, 0.4]", ""].join("\n"),
      );
      const health = async () => (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<{ status: string; journal: { ok: boolean; unwritten: number }; incidents_open: Record<string, number> }>;
      const journalOf = () => readJournal(ws, "diario/descarga_errors.json");
      ws.append(BOT_LOG, "");
      ws.append(BACKEND_LOG, "");
      const first = await startVigia(ws);
      ws.append(BOT_LOG, missingFolderLine("modelos/antes/v1.mp4"));
      await waitFor(
        () => journalOf().find((i) => i.modelo === "antes" && i.estado === "solucionado"),
        { what: "the first incident on disk", describe: first.stderr },
      );
      expect((await health()).status).toBe("ok");
      // The bot log's checkpoint has passed the first line: what follows is what a restart must read again.
      await waitFor(
        () => /"offset":\s*[1-9]/.test(readIfExists(ws.at("logs", ".vigia", "checkpoints.json"))),
        { what: "a checkpoint past the first line", describe: first.stderr },
      );

      fillFilesystem(ws.at("diario", "relleno.bin"));
      ws.append(BOT_LOG, missingFolderLine("modelos/lleno/v2.mp4"));
      ws.append(BOT_LOG, missingFolderLine("modelos/lleno2/v3.mp4"));
      const degraded = await waitFor(async () => {
        const h = await health();
        return h.status === "degraded" && h.journal.ok === false && (h.incidents_open["diario_no_escribible"] ?? 0) > 0 ? h : undefined;
      }, { what: "/health degraded by the journal, with the alert incident open", describe: first.stderr });
      expect(degraded.journal.unwritten).toBeGreaterThan(0);
      expect(first.stderr()).toMatch(/journal: write failed: .*ENOSPC/);

      // The generous bound only guards against the old hang: a full disk must not keep vigia alive.
      const stopped = await first.stop("SIGTERM", 60_000);
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).toMatch(/journal: final write failed: .*ENOSPC.*checkpoints \(.*checkpoints\.json\) were not advanced past them, so the next start reads those lines again/);
      expect(journalOf().some((i) => i.modelo === "lleno")).toBe(false);

      // Space again: the next start reads the lines again and the incidents reach the journal.
      rmSync(ws.at("diario", "relleno.bin"));
      const second = await startVigia(ws);
      await waitFor(
        () => ["lleno", "lleno2"].every((m) => journalOf().some((i) => i.modelo === m)),
        { what: "the incidents of the full-disk period on disk after a restart", describe: second.stderr },
      );
      expect((await second.stop()).code).toBe(0);
    } finally {
      unmount();
    }
  });
});
