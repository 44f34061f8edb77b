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
import { cleanUpTest, findFreePort, readHealth, readJournal, startVigia } from "./vigia-harness.js";
import { createBlockedFixBacklog } from "./blocked-fix-backlog.js";

afterEach(cleanUpTest);

describe("vigia run --from-start, stopped while it still reads its backlog", () => {
  it("stops after the chunk under way, and the next start reads the rest, each line once", async () => {
    const port = await findFreePort();
    const { ws, alerts } = createBlockedFixBacklog(port, 300_000, 25_000);

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
