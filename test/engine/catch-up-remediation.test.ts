/**
 * Remediation's retry waits are timed on incident time: during a catch-up the log says when a backoff or a
 * resolve_on window is over, followed live the wall clock does (1, 2, 4 s). The manager, the real executor (dry
 * run) and the engine's wiring between them; the wall clock is a VirtualClock that moves only when the test says.
 */
import { describe, expect, it } from "@jest/globals";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { NO_CHECKS } from "../helpers/no-checks.js";
import { createOutageKeys } from "../../src/engine/outage-keys.js";
import { remediateIncidents } from "../../src/engine/remediate-incidents.js";
import { CatchUpRanges } from "../../src/incidents/catch-up-ranges.js";
import { formatLocalIso } from "../../src/incidents/format-local-iso.js";
import { IncidentManager, type IncidentChange } from "../../src/incidents/incident-manager.js";
import { createConsoleLogger } from "../../src/observe/logger.js";
import { createExecutor } from "../../src/remediation/index.js";
import type { SourceLine } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "../helpers/wait-for.js";

const newTempDir = useTempDirs("vigia-catch-up-remediation-");
const WALL_MS = Date.parse("2026-12-07T15:00:00.000Z");
const T0 = WALL_MS - 48 * 3_600_000;

/** The shipped `corrupto` rule's shape: the file cleared once, then the bot's new download closes the incident. */
const corrupt = makeRule({
  id: "corrupto",
  cooldownMs: 300_000,
  actions: [{ type: "cleanup", path: "{path}" }],
  resolveOn: "Descarga exitosa: \\S*{video}",
});

function logLine(ms: number, message: string): string {
  return `${formatLocalIso(ms).slice(0, 23).replace("T", " ").replace(".", ",")} - bot_central - INFO - ${message}`;
}

function setup(catchUp: boolean) {
  const baseDir = newTempDir();
  mkdirSync(join(baseDir, "modelos", "ana"), { recursive: true });
  const wall = new VirtualClock(WALL_MS);
  const ranges = new CatchUpRanges();
  if (catchUp) {
    const first: SourceLine = { source: "bot", file: "logs/bot_central.log", fileId: "2049:1234", text: "x", offset: 0, endOffset: 2, readAtMs: WALL_MS };
    ranges.noteBatch([first], () => Number.MAX_SAFE_INTEGER);
  }
  const manager = new IncidentManager({ clock: wall, createId: (ruleId) => `id-${ruleId}-${Math.random()}`, sweepIntervalMs: 0, catchUpRanges: ranges, dryRun: true });
  const logger = createConsoleLogger({ consoleLevel: "error" });
  const executor = createExecutor({ allowedRoots: ["modelos"], baseDir, dryRun: true, clock: wall, retryClock: manager.incidentClock, logger });
  manager.setRemediationProbe({ anyAtWork: () => executor.isAtWork(), isAtWork: (id) => executor.isAtWork(id), settled: (id) => executor.whenSettled(id) });
  const changes: IncidentChange[] = [];
  manager.changes$.subscribe((c) => changes.push(c));
  remediateIncidents(manager.changes$, { executor, manager, configValues: {}, outageKeys: createOutageKeys(NO_CHECKS, { baseDir, downloadRoot: null }), logger });
  const open = (ms: number, video: string) => {
    const path = `modelos/ana/${video}`;
    manager.handleEvent(makeEvent(logLine(ms, `moov atom not found: ${path}`)), makeMatch(corrupt, { path, video }));
    return manager.getByKey(`corrupto:path=${path},video=${video}`)!.id;
  };
  /** A line without a match, handled as the engine does: once the log's time up to it has been remediated. */
  const line = async (ms: number, message: string) => {
    await manager.handleBatchPaced([makeEvent(logLine(ms, message))], []);
  };
  const estado = (id: string) => manager.get(id)?.estado;
  /** The job has cleared the file and waits for its first retry. */
  const cleared = (id: string) =>
    waitFor(() => changes.some((c) => c.type === "transition" && c.incident.id === id && c.incident.accion === `[dry-run] rm ${manager.get(id)!.campos.path}`), `${id} cleared`);
  return { wall, manager, executor, open, line, estado, cleared };
}

describe("remediation during a catch-up waits on the log's time", () => {
  it("ends a resolve_on window once the log has passed it (1 + 2 + 4 s of log), with the wall clock standing still", async () => {
    const { wall, open, line, estado, cleared, manager } = setup(true);
    const waited = open(T0, "a.mp4");
    const solved = open(T0, "b.mp4");
    await cleared(waited);
    await cleared(solved);
    await line(T0 + 5000, "Descarga exitosa: modelos/ana/b.mp4");
    expect(estado(solved)).toBe("solucionado");
    // A line that touches no incident is not held for remediation at work: the retries it made due run beside it.
    await line(T0 + 6999, "Descargando video");
    await waitFor(() => manager.get(waited)!.intento === 2, "the second retry");
    // A line stamped at the window's end comes before it: the bot's success line then would still count.
    await line(T0 + 7000, "Descargando video");
    expect(manager.get(waited)).toMatchObject({ estado: "reintentando", intento: 2 });
    await line(T0 + 7001, "Descargando video");
    const final = await waitFor(() => estado(waited) === "fallido" && manager.get(waited)!, "the window of log time to end");
    expect(final.transiciones.at(-1)).toMatchObject({ estado: "fallido", intento: 3, detalle: "sin confirmación: esperando resolve_on" });
    expect(Date.parse(final.resuelto!)).toBe(T0 + 7000);
    expect(wall.now()).toBe(WALL_MS);
  });

  it("waits no longer than the backoff when a job started on the wall clock before the catch-up's first line", async () => {
    const { wall, open, line, cleared, manager } = setup(true);
    // Another file's line, followed live: incident time is the wall clock when the job starts.
    const path = "modelos/ana/a.mp4";
    manager.handleEvent(makeEvent(logLine(WALL_MS, `moov atom not found: ${path}`), { fileId: "9:9" }), makeMatch(corrupt, { path, video: "a.mp4" }));
    const id = manager.getByKey(`corrupto:path=${path},video=a.mp4`)!.id;
    await cleared(id);
    // The backlog's first line takes incident time two days back, after the first wait was armed on the wall clock.
    open(T0, "b.mp4");
    await wall.advanceToTimer(1000);
    const retried = () => manager.get(id)!.transiciones.some((t) => t.intento === 1 && t.accion === "reintento 1/3");
    await waitFor(retried, "the first retry's attempt");
    // The second wait counts in the log's time: two seconds of it from the first retry, not two days.
    await line(T0 + 3000, "Descargando video");
    await waitFor(() => manager.get(id)!.intento === 2, "the second retry");
    expect(wall.now()).toBe(WALL_MS + 1000);
  });

  it("followed live, waits 1, 2 and 4 s of the wall clock whatever the lines say", async () => {
    const { wall, open, line, estado, cleared } = setup(false);
    const id = open(WALL_MS, "a.mp4");
    await cleared(id);
    line(WALL_MS + 60_000, "a line stamped a minute later");
    await wall.advanceToTimer(1000);
    await wall.advanceToTimer(2000);
    expect(estado(id)).toBe("reintentando");
    await wall.advanceToTimer(4000);
    await waitFor(() => estado(id) === "fallido", "the last retry to fail");
  });
});
