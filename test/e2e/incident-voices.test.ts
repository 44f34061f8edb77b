/**
 * One voice per audience for incidents: the journal's `accion` and `detalle` are the admin's Spanish, the lines
 * vigia's own log writes about the same steps are English. A real `vigia run` with rules that reach each kind of
 * step: a fix that holds (mkdir, verified), a command that keeps failing (a retry, then fallido), a path the guard
 * refuses, an alert-only rule, and a rule that waits for its resolve_on line.
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
});
