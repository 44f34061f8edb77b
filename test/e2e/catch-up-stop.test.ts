/**
 * Ctrl+C right after `vigia run --from-start` has read a backlog stops vigia at once and loses nothing. During a
 * catch-up a line that touches an incident whose remediation is at work waits for it (the log's order), and the
 * lines behind it wait too; a stop does not wait for that remediation: those lines stay behind the checkpoints and
 * the next start handles them, each once.
 *
 * The backlog's first action blocks until the test lets it go (action_timeout 10 minutes), and the second error of
 * its video waits for it: without this, the stop waited for the action and ended only by its 30 s deadline.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, botConfigWithStatus, cleanUpTest, createWorkspace, findFreePort, formatPythonLine, readHealth, readJournal, startVigia, type Workspace } from "./vigia-harness.js";

afterEach(cleanUpTest);

function config(port: number): string {
  const remediation = "{ allowed_roots: [modelos], max_retries: 0, action_timeout: 600 }";
  return `${botConfigWithStatus(port, remediation)}rules: reglas\n`;
}

/** The video whose fix blocks, a second error of it, then 8 MB of chatter with an alert-only error every 20 000 lines. */
function writeBacklog(ws: Workspace): string[] {
  const alerts: string[] = [];
  const chunks = [
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:00,000"),
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:01,000"),
  ];
  for (let i = 0; i < 80_000; i++) {
    const time = `2025-12-25 14:${String(1 + Math.floor(i / 6000) % 59).padStart(2, "0")}:${String(Math.floor(i / 100) % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}`;
    if (i % 20_000 === 10_000) {
      alerts.push(`modelos/eva/${i}.mp4`);
      chunks.push(formatPythonLine("ERROR", `avisar: modelos/eva/${i}.mp4`, time));
    } else chunks.push(formatPythonLine("INFO", `Descarga exitosa: modelos/bea/20251225_${String(i).padStart(6, "0")}_a3f2b1.mp4 (32.5 MB)`, time));
  }
  ws.write(BOT_LOG, chunks.join(""));
  return alerts;
}

describe("vigia run --from-start, stopped once its backlog is read, while its lines wait for a remediation", () => {
  it("stops at once, and the next start handles the lines left, each once", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: config(port), copyRules: false });
    ws.write("gancho.sh", `touch '${ws.at("empezado")}'\nwhile [ ! -e '${ws.at("soltar")}' ]; do sleep 0.05; done\n`);
    ws.write(
      "reglas/reglas.yaml",
      [
        "rules:",
        "  - id: marcar",
        "    match: 'marcar: (?<path>\\S+)'",
        "    actions:",
        `      - { type: exec, command: [sh, '${ws.at("gancho.sh")}'] }`,
        "  - id: avisar",
        "    match: 'avisar: (?<path>\\S+)'",
        "",
      ].join("\n"),
    );
    const alerts = writeBacklog(ws);

    const first = await startVigia(ws, ["--from-start"]);
    await waitFor(() => existsSync(ws.at("empezado")), { what: "the backlog's first action", timeoutMs: 120_000, describe: () => first.stderr() });
    // The backlog is read to its end; its lines after the first error's second wait for the action.
    await waitFor(async () => (await readHealth(port))?.sources[0]?.lag_bytes === 0, { what: "the backlog read", timeoutMs: 120_000, describe: () => first.stderr() });
    const stopped = await first.stop("SIGINT", 120_000);
    expect({ code: stopped.code, deadline: /stop did not finish/.test(stopped.stderr) }).toEqual({ code: 0, deadline: false });
    const afterStop = readJournal(ws);
    expect(afterStop.map((i) => [i.error_type, i.estado, i.ocurrencias])).toEqual([["marcar", "detectado", 1]]);

    ws.write("soltar", "");
    const second = await startVigia(ws);
    const journal = await waitFor(
      () => {
        const all = readJournal(ws);
        return all.length === 1 + alerts.length && all.every((i) => i.estado === "solucionado" || i.estado === "fallido") && all;
      },
      { what: "every line handled", timeoutMs: 120_000, describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${second.stderr()}` },
    );
    expect((await second.stop("SIGINT")).code).toBe(0);
    expect(journal.map((i) => [i.error_type, i.campos.path, i.ocurrencias])).toEqual([
      ["marcar", "modelos/ana/1.mp4", 2],
      ...alerts.map((path) => ["avisar", path, 1]),
    ]);
    expect(journal[0]!.estado).toBe("solucionado");
  }, 300_000);
});
