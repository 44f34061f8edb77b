/**
 * Captured values in an `exec` command are confined. A rule runs `touch {path}` for a path taken from the bot's log;
 * whoever can make the bot log a line chooses that value. Through real log lines and the real `vigia run`:
 * `..`, an absolute path and a symlinked folder are refused like any file action's path (nothing is created outside
 * the roots), a value beginning with `-` is refused (never read as an option: `--reference=/etc/passwd`), and an
 * ordinary path inside the roots still runs.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, symlinkSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

const CONFIG = ["status: null", "checks: { disk: null }", "rules: reglas", "remediation:", "  allowed_roots: [modelos]", "  max_retries: 0", ""].join("\n");
/** An operator's hook that marks a video for re-download by touching a file the log names. */
const RULE = [
  "rules:",
  "  - id: marcar",
  "    match: 'marcar: (?<path>\\S+)'",
  "    actions:",
  "      - { type: exec, command: [touch, '{path}'] }",
  "",
].join("\n");

describe("exec: captured values are confined (e2e)", () => {
  it("refuses .., absolute paths, symlinked folders and option-like values; runs an ordinary path", async () => {
    const ws = createWorkspace({ config: CONFIG, copyRules: false });
    ws.write("reglas/marcar.yaml", RULE);
    ws.write("fuera/.keep", "");
    symlinkSync(ws.at("fuera"), ws.at("modelos/enlace"));
    const vigia = await startVigia(ws);
    const attacks = [
      "modelos/../fuera/por-puntos",
      ws.at("fuera/absoluta"),
      "modelos/enlace/por-enlace",
      "--reference=/etc/passwd",
      "-t200001010000",
    ];
    for (const value of attacks) ws.append(BOT_LOG, formatPythonLine("ERROR", `marcar: ${value}`));
    ws.append(BOT_LOG, formatPythonLine("ERROR", "marcar: modelos/ana.txt"));
    const journal = await waitFor(() => {
      const all = readJournal(ws);
      return all.length === attacks.length + 1 && all.every((i) => i.estado === "fallido" || i.estado === "solucionado") && all;
    }, { what: "every incident to end", describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${vigia.stderr()}` });
    await vigia.stop();

    expect(readdirSync(ws.at("fuera"))).toEqual([".keep"]);
    expect(existsSync(ws.at("modelos/ana.txt"))).toBe(true);
    const byValue = new Map(journal.map((i) => [i.campos.path, i]));
    expect(byValue.get("modelos/ana.txt")?.estado).toBe("solucionado");
    const reasons = attacks.map((value) => [value, byValue.get(value)?.estado, /rechazad[oa]/.test(byValue.get(value)?.transiciones.at(-1)?.detalle ?? "")]);
    expect(reasons).toEqual(attacks.map((value) => [value, "fallido", true]));
    expect(byValue.get("modelos/../fuera/por-puntos")?.transiciones.at(-1)?.detalle).toMatch(/^ruta rechazada \(dot_dot\)/);
    expect(byValue.get("modelos/enlace/por-enlace")?.transiciones.at(-1)?.detalle).toMatch(/^ruta rechazada \(outside_roots\)/);
    expect(byValue.get("--reference=/etc/passwd")?.transiciones.at(-1)?.detalle).toMatch(/^argumento rechazado: .*empieza por '-'/);
  }, 90_000);
});
