/**
 * Ctrl+C while `vigia run --from-start` is still reading a big backlog stops vigia after the chunk under way, not
 * after the backlog: what is left unread stays behind the checkpoints and the next start reads it, each line once.
 *
 * The backlog's first action blocks until the test lets it go (action_timeout 10 minutes) and the second error of
 * its video waits for it, so the lines behind it fill the incident stage and the reader waits with most of the
 * 30 MB unread. Before, signals were held until the first read ended: this stop waited for the action, for good.
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

/** The video whose fix blocks, a second error of it, then 30 MB of chatter with an alert-only error every 25 000 lines. */
function writeBacklog(ws: Workspace): string[] {
  const alerts: string[] = [];
  const chunks = [
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:00,000"),
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:01,000"),
  ];
  for (let i = 0; i < 300_000; i++) {
    const time = `2025-12-25 ${String(15 + Math.floor(i / 36_000)).padStart(2, "0")}:${String(Math.floor(i / 600) % 60).padStart(2, "0")}:${String(Math.floor(i / 10) % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}`;
    if (i % 25_000 === 12_500) {
      alerts.push(`modelos/eva/${i}.mp4`);
      chunks.push(formatPythonLine("ERROR", `avisar: modelos/eva/${i}.mp4`, time));
    } else chunks.push(formatPythonLine("INFO", `Descarga exitosa: modelos/bea/20251225_${String(i).padStart(6, "0")}_a3f2b1.mp4 (32.5 MB)`, time));
  }
  ws.write(BOT_LOG, chunks.join(""));
  return alerts;
}

describe("vigia run --from-start, stopped while it still reads its backlog", () => {
  it("stops after the chunk under way, and the next start reads the rest, each line once", async () => {
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
    const health = await waitFor(async () => (await readHealth(port)) ?? false, { what: "/health", timeoutMs: 60_000, describe: () => first.stderr() });
    // The reader waits behind the blocked action with the backlog's end unread: nothing lets it go but the stop.
    expect(health.sources[0]!.lag_bytes).toBeGreaterThan(0);

    const stopped = await first.stop("SIGINT", 120_000);
    expect({ code: stopped.code, deadline: /stop did not finish/.test(stopped.stderr) }).toEqual({ code: 0, deadline: false });
    expect(stopped.stderr).toMatch(/SIGINT: stopping after the read under way/);
    expect(stopped.stderr).toMatch(/left for the next start, which reads them again: logs\/bot_central.log from byte \d+/);
    expect(readJournal(ws).map((i) => [i.error_type, i.estado, i.ocurrencias])).toEqual([["marcar", "detectado", 1]]);

    ws.write("soltar", "");
    const second = await startVigia(ws);
    // Every alert of the backlog, those past the point where the first run stopped reading included, once each.
    const journal = await waitFor(
      () => {
        const all = readJournal(ws);
        const avisos = all.filter((i) => i.error_type === "avisar");
        return avisos.length === alerts.length && all.every((i) => i.estado === "solucionado" || i.estado === "fallido") && all;
      },
      { what: "every line handled", timeoutMs: 180_000, describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${second.stderr()}` },
    );
    expect((await second.stop("SIGINT")).code).toBe(0);
    expect(journal.filter((i) => i.error_type === "avisar").map((i) => [i.campos.path, i.ocurrencias])).toEqual(alerts.map((path) => [path, 1]));
    // The blocked fix, taken up again by the second run (how its second error folds is the catch-up-stop test's).
    expect(journal[0]).toMatchObject({ error_type: "marcar", estado: "solucionado", campos: { path: "modelos/ana/1.mp4" } });
  }, 400_000);
});
