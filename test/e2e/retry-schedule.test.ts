/**
 * The seed's retry promise, as an operator checks it: "Reintento hasta 3 veces con backoff exponencial
 * (1s → 2s → 4s)". The real `vigia run` with the shipped rules, a real bot log line, and the attempt times read back
 * from the journal's transitions: the fix at once (intento 0), then retries 1/3, 2/3, 3/3 after 1, 2 and 4 s
 * (+0, +1, +3, +7 s), then fallido. BACKOFF_DELAYS and MAX_RETRIES govern the shipped rules too.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runJq, startVigia, type JournalIncident } from "./vigia-harness.js";

afterEach(cleanUpTest);

/** The base e2e config without its short backoff: the defaults (or the environment) decide. */
const CONFIG_WITH_DEFAULT_BACKOFF = ["status: null", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", ""].join("\n");

/** A download that times out and never comes back: the file is never written, so every verification fails. */
const TIMEOUT_LINE = formatPythonLine(
  "ERROR",
  "Error descargando modelos/ana/20251225_143020_a3f2b1.mp4: telegram.error.TimedOut: Timed out",
);

/** Milliseconds from the fix (attempt 0) to each retry's start, read from the transitions. */
function readAttemptOffsetsMs(incident: JournalIncident): number[] {
  const starts = incident.transiciones.filter((t) => t.estado !== "detectado" && (t.intento === 0 ? t.estado === "pendiente" : t.accion?.startsWith("reintento ")));
  const firstByAttempt = new Map<number, number>();
  for (const t of starts) if (!firstByAttempt.has(t.intento)) firstByAttempt.set(t.intento, Date.parse(t.timestamp));
  const times = [...firstByAttempt.entries()].sort((a, b) => a[0] - b[0]).map(([, ms]) => ms);
  return times.map((ms) => ms - times[0]!);
}

/**
 * Retry k is due `delays[0] + … + delays[k-1]` after the fix (the schedule counts from the job's start, so one late
 * timer does not push the later retries back). A timer never fires early; on a loaded machine it fires late by any
 * amount, so end to end each retry is only required to start at or after its due time (less the clock's rounding and
 * the fix's own first step), in order. That it starts on time, not later, is held on virtual time by the executor's
 * own tests ("follows the backoff under jest fake timers" in test/remediation/executor.test.ts).
 */
function expectRetriesInTheirSlots(offsetsMs: number[], delaysMs: number[]): void {
  expect(offsetsMs).toHaveLength(delaysMs.length + 1);
  let dueMs = 0;
  delaysMs.forEach((delayMs, k) => {
    dueMs += delayMs;
    expect(offsetsMs[k + 1]!).toBeGreaterThanOrEqual(dueMs - 150);
    expect(offsetsMs[k + 1]!).toBeGreaterThan(offsetsMs[k]!);
  });
}

async function waitForFinal(ws: ReturnType<typeof createWorkspace>, stderr: () => string): Promise<JournalIncident> {
  return waitFor(() => readJournal(ws).find((i) => i.error_type === "timeout" && (i.estado === "fallido" || i.estado === "solucionado")), {
    what: "the timeout incident to end",
    timeoutMs: 60_000,
    describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${stderr()}`,
  });
}

describe("retry schedule of the seed (e2e)", () => {
  it("default backoff: the fix at +0 s, then reintento 1/3, 2/3, 3/3 at +1, +3, +7 s, then fallido", async () => {
    const ws = createWorkspace({ config: CONFIG_WITH_DEFAULT_BACKOFF });
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, TIMEOUT_LINE);
    const incident = await waitForFinal(ws, vigia.stderr);
    await vigia.stop();

    expect(incident.estado).toBe("fallido");
    expect(incident.intento).toBe(3);
    expect(incident.max_intentos).toBe(3);
    expectRetriesInTheirSlots(readAttemptOffsetsMs(incident), [1000, 2000, 4000]);

    // Each retry recorded as the seed shows it: {"accion": "reintento 2/3", "estado": "reintentando", "intento": 2, "max_intentos": 3}.
    const retries = JSON.parse(
      await runJq(["-c", '[.[0].transiciones[] | select(.estado == "reintentando" and (.accion // "" | startswith("reintento "))) | {accion, estado, intento}]', JOURNAL], ws.dir),
    ) as unknown[];
    expect(retries).toEqual([
      { accion: "reintento 1/3", estado: "reintentando", intento: 1 },
      { accion: "reintento 2/3", estado: "reintentando", intento: 2 },
      { accion: "reintento 3/3", estado: "reintentando", intento: 3 },
    ]);
    const fix = JSON.parse(await runJq(["-c", '[.[0].transiciones[] | select(.intento == 0 and .estado != "detectado") | .estado] | unique', JOURNAL], ws.dir));
    expect(fix).toEqual(["pendiente"]);
    expect(await runJq(["-r", '.[0] | "\\(.estado) \\(.intento)/\\(.max_intentos) \\(.accion)"', JOURNAL], ws.dir)).toBe("fallido 3/3 reintento 3/3");
  }, 90_000);

  it("BACKOFF_DELAYS and MAX_RETRIES govern the shipped rules: 1.5, 3 s and two retries", async () => {
    const ws = createWorkspace({ config: CONFIG_WITH_DEFAULT_BACKOFF });
    const vigia = await startVigia(ws, [], { env: { BACKOFF_DELAYS: "1.5,3", MAX_RETRIES: "2" } });
    ws.append(BOT_LOG, TIMEOUT_LINE);
    const incident = await waitForFinal(ws, vigia.stderr);
    await vigia.stop();

    expect(incident).toMatchObject({ estado: "fallido", intento: 2, max_intentos: 2, accion: "reintento 2/2" });
    expectRetriesInTheirSlots(readAttemptOffsetsMs(incident), [1500, 3000]);
  }, 90_000);

  it("a retry that works ends solucionado with the seed's accion 'reintento k/3', k its own attempt", async () => {
    const ws = createWorkspace({ config: CONFIG_WITH_DEFAULT_BACKOFF });
    // Retry 1 after 0.5 s, the later ones 20 s apart: on a loaded machine the file may be written after retry 1
    // looked, and the next retry still finds it long before the incident can fail.
    const vigia = await startVigia(ws, [], { env: { BACKOFF_DELAYS: "0.5,20" } });
    ws.append(BOT_LOG, TIMEOUT_LINE);
    // The fix (attempt 0) finds no file: its check of the path is under way before its step reaches the journal
    // file. The bot's own retry writes the file once the step is there; a retry after that finds it.
    await waitFor(() => readJournal(ws).find((i) => i.estado === "pendiente" || i.estado === "reintentando"), { what: "the fix to run", describe: vigia.stderr });
    ws.write("modelos/ana/20251225_143020_a3f2b1.mp4", "video");
    const incident = await waitForFinal(ws, vigia.stderr);
    await vigia.stop();
    const attempt = incident["intento"] as number;
    expect(incident.estado).toBe("solucionado");
    expect(attempt).toBeGreaterThanOrEqual(1);
    expect(incident.accion).toBe(`reintento ${attempt}/3`);
    // Each retry up to the one that worked started once, in order, as 'reintento k/3'.
    const retried = incident.transiciones.filter((t) => t.estado === "reintentando" && t.accion?.startsWith("reintento ")).map((t) => t.accion);
    expect(retried).toEqual(Array.from({ length: attempt }, (_, k) => `reintento ${k + 1}/3`));
  }, 90_000);
});
