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
import { cleanUpTest, findFreePort, readHealth, readJournal, startVigia } from "./vigia-harness.js";
import { createBlockedFixBacklog } from "./blocked-fix-backlog.js";

afterEach(cleanUpTest);

describe("vigia run --from-start, stopped once its backlog is read, while its lines wait for a remediation", () => {
  it("stops at once, and the next start handles the lines left, each once", async () => {
    const port = await findFreePort();
    const { ws, alerts } = createBlockedFixBacklog(port, 80_000, 20_000);

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
