/**
 * One voice per audience for incidents: the journal's `accion` and `detalle` are the admin's Spanish, the lines
 * vigia's own log writes about the same steps are English. A real `vigia run` with rules that reach each kind of
 * step: a fix that holds (mkdir, verified), a command that keeps failing (a retry, then fallido), a path the guard
 * refuses, an alert-only rule, and a rule that waits for its resolve_on line. An action that cannot run at all (the
 * line names no file, a file stands where a folder goes, an owner that does not exist) tells the admin why in Spanish
 * too, never in the words of Node or of vigia's template checks.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia, type JournalIncident } from "./vigia-harness.js";

afterEach(cleanUpTest);

const RULES = `rules:
  - id: carpeta_falta
    match: 'missing folder (?<dir>modelos/\\w+)'
    actions: [{ type: mkdir, path: '{dir}' }]
    verify: { type: path_exists, path: '{dir}' }
  - id: comando_falla
    match: 'hook broken'
    actions: [{ type: exec, command: ['false'] }]
    retries: 1
  - id: ruta_prohibida
    match: 'needs folder (?<dir>/\\S+)'
    actions: [{ type: mkdir, path: '{dir}' }]
  - id: solo_aviso
    match: 'just so you know'
  - id: espera_linea
    match: 'corrupt file (?<video>\\w+\\.mp4)'
    resolve_on: 'downloaded again {video}'
    retries: 1
    backoff: [600]
`;

/** The admin's words vigia writes into the journal; none belongs in its own log. */
const SPANISH = /\b(recuperad[oa]|reintentos?|verificad[oa]|verificación|esperando|resuelto|rechazad[ao]|alerta|solo|sin|confirmación|acciones|completadas|creadas?|existía|existe|ruta|carpeta|causa|raíz|también|ejecutado|libres|borrados|código|cancelado|por|de|la|el|en|un|una|no verificado)\b/i;
/** Words of Node's errors and of vigia's own checks, which belong in monitor.log only. */
const ENGLISH = /\b(template|needs|field|which|was|not|captured|no such|directory|permission|denied|expected|got|unknown|user|group|failed|error)\b/i;
/** The journal's state names and rule ids are identifiers, in no language; paths and commands are not prose either. */
const withoutNames = (line: string): string =>
  line.replace(/\b(detectado|pendiente|reintentando|solucionado|fallido)\b/g, " ").replace(/\b\w+_\w+\b/g, " ").replace(/\S*\/\S*/g, " ");

describe("incident transitions speak English in monitor.log, Spanish in the journal", () => {
  it("a verified fix, a failing command retried, a refused path, an alert-only rule and a resolve_on wait", async () => {
    const ws = createWorkspace({
      copyRules: false,
      config: ["status: null", "log_level: verbose", "checks: { disk: null }", "sources: [{ name: bot, path: logs/bot_central.log }]", "remediation: { allowed_roots: [modelos], backoff: [0.1] }", ""].join("\n"),
    });
    ws.write("rules/voces.yaml", RULES);
    ws.write(BOT_LOG, "");
    const vigia = await startVigia(ws);
    for (const message of ["missing folder modelos/ana", "hook broken", "needs folder /etc/vigia-prueba", "just so you know", "corrupt file v1.mp4"]) {
      ws.append(BOT_LOG, formatPythonLine("ERROR", message));
    }
    const byType = (type: string): JournalIncident | undefined => readJournal(ws).find((i) => i.error_type === type);
    await waitFor(() => ["carpeta_falta", "comando_falla", "ruta_prohibida", "solo_aviso"].every((t) => ["solucionado", "fallido"].includes(byType(t)?.estado ?? "")) && byType("espera_linea")?.estado === "pendiente", {
      what: "four incidents closed and one waiting for its line",
      describe: vigia.stderr,
    });
    ws.append(BOT_LOG, formatPythonLine("INFO", "downloaded again v1.mp4"));
    await waitFor(() => byType("espera_linea")?.estado === "solucionado", { what: "the resolve_on line to close the last one", describe: vigia.stderr });
    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);

    // The journal keeps the admin's Spanish.
    const steps = (type: string) => byType(type)!.transiciones.map((t) => [t.estado, t.accion, t.detalle]);
    expect(steps("carpeta_falta")).toContainEqual(["solucionado", "mkdir -p modelos/ana", "verificado: existe modelos/ana"]);
    expect(steps("comando_falla")).toContainEqual(["reintentando", "reintento 1/1", null]);
    expect(byType("ruta_prohibida")!.transiciones.at(-1)!.detalle).toMatch(/^ruta rechazada \(outside_roots\)/);
    expect(byType("solo_aviso")!.accion).toBe("solo alerta");
    expect(byType("espera_linea")!.transiciones.at(-1)!.detalle).toMatch(/^resuelto por: /);

    // vigia's own log (the console at verbose, monitor.log at info) says the same steps in English.
    const transitionLines = (text: string) => text.split("\n").filter((l) => /\bincident \S+ \w+ → /.test(l));
    const consoleLines = transitionLines(stopped.stderr);
    const fileLines = transitionLines(ws.read("logs/monitor.log"));
    for (const type of ["carpeta_falta", "comando_falla", "ruta_prohibida", "solo_aviso", "espera_linea"]) {
      expect(fileLines.some((l) => l.includes(` ${type} → `))).toBe(true);
    }
    expect(consoleLines.some((l) => / comando_falla → reintentando\b/.test(l))).toBe(true);
    for (const line of [...consoleLines, ...fileLines]) {
      expect({ line, spanish: SPANISH.exec(withoutNames(line))?.[0] ?? null }).toEqual({ line, spanish: null });
    }
  });

  it("an action that cannot run: the line names no file, a file where a folder goes, an unknown owner", async () => {
    const ws = createWorkspace({
      copyRules: false,
      config: ["status: null", "checks: { disk: null }", "sources: [{ name: bot, path: logs/bot_central.log }]", "remediation: { allowed_roots: [modelos], backoff: [0.1] }", ""].join("\n"),
    });
    ws.write(
      "rules/fallos.yaml",
      `rules:
  - id: sin_archivo
    match: 'moov atom not found'
    extract: ['(?<path>modelos/\\w+/\\w+\\.mp4)']
    actions: [{ type: cleanup, path: '{path}' }]
    retries: 1
  - id: carpeta_bloqueada
    match: 'missing folder (?<dir>modelos/\\S+)'
    actions: [{ type: mkdir, path: '{dir}' }]
    retries: 1
  - id: dueno_desconocido
    match: 'wrong owner (?<dir>modelos/\\w+)'
    actions: [{ type: chown, path: '{dir}', owner: 'vigia-nadie-tal' }]
    retries: 1
`,
    );
    ws.write("modelos/ana", "a file where the folder of ana should be");
    ws.write("modelos/eva/v.mp4", "");
    ws.write(BOT_LOG, "");
    const vigia = await startVigia(ws);
    for (const message of ["ffprobe: [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c1a2b3c0] moov atom not found", "missing folder modelos/ana/2025", "wrong owner modelos/eva"]) {
      ws.append(BOT_LOG, formatPythonLine("ERROR", message));
    }
    const types = ["sin_archivo", "carpeta_bloqueada", "dueno_desconocido"];
    const byType = (type: string): JournalIncident | undefined => readJournal(ws).find((i) => i.error_type === type);
    await waitFor(() => types.every((t) => byType(t)?.estado === "fallido"), { what: "the three incidents to fail", describe: vigia.stderr });
    expect((await vigia.stop()).code).toBe(0);

    const detalles = Object.fromEntries(types.map((t) => [t, byType(t)!.transiciones.at(-1)!.detalle]));
    expect(detalles).toEqual({
      sin_archivo: "la línea no nombra {path}, que la acción necesita",
      carpeta_bloqueada: expect.stringMatching(/modelos\/ana\/2025: una parte de la ruta no es una carpeta \(ENOTDIR\)$/),
      dueno_desconocido: expect.stringMatching(/^propietario 'vigia-nadie-tal' desconocido/),
    });
    for (const detalle of Object.values(detalles)) {
      expect({ detalle, english: ENGLISH.exec(detalle ?? "")?.[0] ?? null }).toEqual({ detalle, english: null });
    }
  });
});
