/**
 * Remediation during a catch-up, as a user meets it: `vigia run --from-start` on a log of two days ago, with the
 * shipped rules and the seed's retry schedule (1, 2, 4 s). A download timeout whose video the bot saved 3 s later
 * in the log is `solucionado`; one saved 20 s later was `fallido` when the log had passed its 7 s — as it was
 * followed live — however fast the catch-up reads. And the outcome is the log's alone: the same log caught up at
 * another pace (one remediation at a time, or eight) leaves the same journal, read back with jq.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { OLD_LOG_T0, SAVED_AFTER_MS, renderFortyTimeouts, renderOldLog, savedAt, timeoutAt, videoPath } from "../helpers/old-bot-log.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, runJq, startVigia, type Workspace } from "./vigia-harness.js";

afterEach(cleanUpTest);

/** The seed's schedule (no `backoff` in the config): retries 1, 2 and 4 s after each other. */
function config(concurrency = 4): string {
  return ["status: null", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", `  concurrency: ${concurrency}`, ""].join("\n");
}

const T0 = OLD_LOG_T0;

function writeOldLog(ws: Workspace, seconds: number, records: Array<[number, string]>): void {
  ws.write(BOT_LOG, renderOldLog(seconds, records));
}

interface Closed {
  video: string;
  estado: string;
  intento: number;
  resuelto: string;
}

/** Catches the log up and stops once `expected` timeout incidents are closed; their journal records, by video. */
async function catchUp(ws: Workspace, expected: number, args: string[] = []): Promise<Map<string, Closed>> {
  const vigia = await startVigia(ws, ["--from-start", ...args]);
  const closed = async () => JSON.parse(await runJq(["-c", '[.[] | select(.error_type == "timeout" and .resuelto != null) | {video, estado, intento, resuelto}]', JOURNAL], ws.dir)) as Closed[];
  await waitFor(async () => (await closed().catch(() => [])).length === expected, {
    what: `${expected} timeout incidents closed`,
    timeoutMs: 90_000,
    describe: () => `${ws.read(JOURNAL)}\n${vigia.stderr()}`,
  });
  expect((await vigia.stop()).code).toBe(0);
  return new Map((await closed()).map((c) => [c.video, c]));
}

describe("remediation during a catch-up (e2e)", () => {
  it("counts the retries' 1 + 2 + 4 s in the log's time: saved 3 s later → solucionado, 20 s later → fallido", async () => {
    const ws = createWorkspace({ config: config() });
    const solved = T0 + 60_000;
    const late = T0 + 120_000;
    writeOldLog(ws, 180, [timeoutAt(solved, 1), savedAt(solved + 3000, 1), timeoutAt(late, 2), savedAt(late + 20_000, 2)]);
    const closed = await catchUp(ws, 2);
    const first = closed.get(videoPath(1).split("/").at(-1)!)!;
    const second = closed.get(videoPath(2).split("/").at(-1)!)!;
    expect(first).toMatchObject({ estado: "solucionado" });
    expect(Date.parse(first.resuelto)).toBe(solved + 3000);
    // The last retry, 7 s after the timeout in the log, found no saved file and no success line yet.
    expect(second).toMatchObject({ estado: "fallido", intento: 3 });
    expect(Date.parse(second.resuelto)).toBe(late + 7000);
    const retries = await runJq(["-c", `[.[] | select(.video == "${videoPath(2).split("/").at(-1)}") | .transiciones[] | select(.accion // "" | startswith("reintento ")) | select(.estado == "reintentando") | .timestamp]`, JOURNAL], ws.dir);
    expect((JSON.parse(retries) as string[]).map((t) => Date.parse(t) - late)).toEqual([1000, 3000, 7000]);
  }, 180_000);

  it("leaves the same journal whatever the pace: one remediation at a time or eight, a window's edge included", async () => {
    const runs: unknown[] = [];
    for (const concurrency of [1, 8]) {
      const ws = createWorkspace({ config: config(concurrency) });
      ws.write(BOT_LOG, renderFortyTimeouts());
      const closed = await catchUp(ws, 40);
      expect([...closed.values()].map((c) => c.estado)).toEqual(
        Array.from({ length: 40 }, (_, n) => {
          const delay = SAVED_AFTER_MS[n % SAVED_AFTER_MS.length]!;
          return delay !== null && delay <= 7000 ? "solucionado" : "fallido";
        }),
      );
      // Everything but what names this workspace: the incident's id, the log's path and its inode.
      runs.push(JSON.parse(await runJq(["-c", "sort_by(.clave, .timestamp) | map(del(.id, .archivo, .posicion.fileId))", JOURNAL], ws.dir)));
    }
    expect(runs[1]).toEqual(runs[0]);
  }, 300_000);
});
