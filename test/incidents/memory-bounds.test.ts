import { describe, expect, it } from "@jest/globals";
import { IncidentManager, type IncidentChange } from "../../src/incidents/incident-manager.js";
import { SessionTally } from "../../src/incidents/session-tally.js";
import { formatLocalIso } from "../../src/incidents/format-local-iso.js";
import { CatchUpRanges } from "../../src/incidents/catch-up-ranges.js";
import type { SourceLine } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

// What a vigia running for months keeps: what is open or recent, never everything it ever saw.

const T0 = Date.parse("2025-12-25T14:30:20.000+01:00");
const COOLDOWN_MS = 60_000;

function setup(options: { sweepIntervalMs?: number } = {}) {
  const clock = new VirtualClock(T0);
  let n = 0;
  const manager = new IncidentManager({ clock, createId: (ruleId) => `id-${ruleId}-${++n}`, sweepIntervalMs: options.sweepIntervalMs ?? 0 });
  const changes: IncidentChange[] = [];
  manager.changes$.subscribe((c) => changes.push(c));
  return { clock, manager, changes };
}

const mkdirRule = makeRule({ id: "ruta_inexistente", cooldownMs: COOLDOWN_MS, actions: [{ type: "mkdir", path: "{path}" }], verify: { type: "path_exists", path: "{path}" } });
const timeoutRule = makeRule({ id: "timeout", cooldownMs: COOLDOWN_MS, actions: [{ type: "wait" }], resolveOn: "Descarga exitosa: \\S*{video}" });

describe("IncidentManager: memory bounded by what is open or recent", () => {
  it("holds no closed incident once its cooldown is over, after any number of them", () => {
    const { clock, manager } = setup();
    for (let i = 0; i < 3000; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      const incident = manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!;
      manager.transition(incident.id, "fallido", { accion: "mkdir", detalle: "no" });
    }
    expect(manager.getSizes()).toMatchObject({ incidents: 3000, open: 0, keys: 3000 });
    clock.jump(COOLDOWN_MS);
    manager.sweep();
    expect(manager.getSizes()).toEqual({ incidents: 0, open: 0, keys: 0, resolvers: 0, dependents: 0, thresholdKeys: 0 });
  });

  it("keeps open incidents and recent closed ones, drops only the expired", () => {
    const { clock, manager } = setup();
    manager.handleEvent(makeEvent("old"), makeMatch(mkdirRule, { path: "modelos/old" }));
    manager.transition(manager.getByKey("ruta_inexistente:path=modelos/old")!.id, "fallido", {});
    clock.jump(COOLDOWN_MS - 1000);
    manager.handleEvent(makeEvent("recent"), makeMatch(mkdirRule, { path: "modelos/recent" }));
    manager.transition(manager.getByKey("ruta_inexistente:path=modelos/recent")!.id, "fallido", {});
    manager.handleEvent(makeEvent("open"), makeMatch(mkdirRule, { path: "modelos/open" }));
    clock.jump(1000);
    manager.sweep();
    expect(manager.getSizes()).toMatchObject({ incidents: 2, open: 1, keys: 2 });
    expect(manager.getByKey("ruta_inexistente:path=modelos/old")).toBeUndefined();
  });

  it("sweeps on its timer while no match comes: a burst leaves memory after its cooldown on an idle log", async () => {
    const { clock, manager } = setup({ sweepIntervalMs: 10_000 });
    for (let i = 0; i < 100; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      manager.transition(manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!.id, "fallido", {});
    }
    await clock.advance(COOLDOWN_MS - 1); // sweeps on the way, all within the cooldown
    expect(manager.getSizes().incidents).toBe(100);
    await clock.advance(10_000);
    expect(manager.getSizes().incidents).toBe(0);
    manager.shutdown();
  });

  it("lets go of resolve_on candidates when their incidents close", () => {
    const { clock, manager } = setup();
    for (let i = 0; i < 500; i++) manager.handleEvent(makeEvent(`Timed out v${i}.mp4`), makeMatch(timeoutRule, { video: `v${i}.mp4` }));
    expect(manager.getSizes()).toMatchObject({ open: 500, resolvers: 500 });
    for (let i = 0; i < 500; i++) manager.handleEvent(makeEvent(`INFO Descarga exitosa: modelos/ana/v${i}.mp4`));
    expect(manager.getSizes()).toMatchObject({ open: 0, resolvers: 0, incidents: 500 });
    clock.jump(COOLDOWN_MS);
    manager.sweep();
    expect(manager.getSizes().incidents).toBe(0);
  });

  it("keeps a reader waiting while too many incidents are open, until enough of them close or a stop releases it", async () => {
    const { manager } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      ids.push(manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!.id);
    }
    await manager.waitForRoom(4); // 3 open: room for one more
    let woke = false;
    const waiting = manager.waitForRoom(3).then(() => (woke = true));
    manager.transition(ids[0]!, "reintentando", { intento: 1 });
    await Promise.resolve();
    expect(woke).toBe(false);
    manager.transition(ids[0]!, "fallido", {});
    await waiting;
    expect(woke).toBe(true);

    manager.handleEvent(makeEvent("e3"), makeMatch(mkdirRule, { path: "modelos/m3" }));
    const stopping = manager.waitForRoom(3);
    manager.releaseRoomWaiters();
    await stopping;
    await manager.waitForRoom(1); // released for good: a stopping engine's readers never wait again
  });

  it("forgets threshold counts whose window passed", () => {
    const { clock, manager } = setup();
    const rule = makeRule({ id: "timeout", threshold: { count: 3, withinMs: 60_000 }, actions: [{ type: "wait" }] });
    for (let i = 0; i < 1000; i++) manager.handleEvent(makeEvent(`t${i}`), makeMatch(rule, { video: `v${i}.mp4` }));
    expect(manager.getSizes()).toMatchObject({ incidents: 0, thresholdKeys: 1000 });
    clock.jump(60_000);
    manager.sweep();
    expect(manager.getSizes().thresholdKeys).toBe(0);
  });
});

/** A line of the bot's log written at `ms` (Python logging's local asctime). */
function logLine(ms: number, message: string): string {
  return `${formatLocalIso(ms).slice(0, 23).replace("T", " ").replace(".", ",")} - bot_central - ERROR - ${message}`;
}

describe("IncidentManager: a catch-up keeps incident time on the log's own clock", () => {
  const WALL_MS = Date.parse("2026-12-07T15:00:00.000Z");
  const MINUTE = 60_000;
  const cooldownRule = makeRule({ id: "ruta_inexistente", cooldownMs: 10 * MINUTE, actions: [{ type: "mkdir", path: "{path}" }] });

  /** The bot's log as vigia first read it: `catchUpBytes` already there, far more than one read. */
  function readBacklogOf(catchUpBytes: number): CatchUpRanges {
    const ranges = new CatchUpRanges();
    const first: SourceLine = { source: "bot", file: "logs/bot_central.log", fileId: "2049:1234", text: "first", offset: 0, endOffset: 6, readAtMs: WALL_MS };
    ranges.noteBatch([first], () => catchUpBytes);
    return ranges;
  }

  /**
   * A manager whose wall clock stands still: the whole backlog is read "at once", as a fast catch-up reads it. The
   * catch-up holds every offset test events will have, unless told.
   */
  function setupAtWall(catchUpRanges = readBacklogOf(Number.MAX_SAFE_INTEGER)) {
    let n = 0;
    return new IncidentManager({ clock: new VirtualClock(WALL_MS), createId: (ruleId) => `id-${ruleId}-${++n}`, sweepIntervalMs: 0, catchUpRanges });
  }

  it("lets each closed incident go once its cooldown has passed in the log, not on the wall clock", () => {
    const manager = setupAtWall();
    const startMs = WALL_MS - 3 * 24 * 60 * MINUTE;
    let maxHeld = 0;
    let opened = 0;
    // Three days of log, a new error every minute, each closed at once (as an alert-only rule or a quick fix does).
    for (let ms = startMs; ms < WALL_MS - 60 * MINUTE; ms += MINUTE) {
      const path = `modelos/m${ms}`;
      manager.handleEvent(makeEvent(logLine(ms, `No such file or directory: '${path}'`)), makeMatch(cooldownRule, { path }));
      const incident = manager.getByKey(`ruta_inexistente:path=${path}`)!;
      expect(incident.timestamp).toBe(formatLocalIso(ms));
      manager.transition(incident.id, "fallido", { accion: "mkdir" });
      opened++;
      maxHeld = Math.max(maxHeld, manager.getSizes().incidents);
    }
    expect(opened).toBeGreaterThan(4000);
    // Held: the one just closed and those closed within the last 10 minutes of log.
    expect(maxHeld).toBeLessThanOrEqual(11);
    expect(manager.getLagMs()).toBeGreaterThan(60 * MINUTE);
  });

  it("folds a repeat within the cooldown of log time and opens a new incident after it, whatever the wall clock says", () => {
    const manager = setupAtWall();
    const t0 = WALL_MS - 2 * 24 * 60 * MINUTE;
    const path = "modelos/ana";
    const event = (ms: number) => makeEvent(logLine(ms, `No such file or directory: '${path}'`));
    manager.handleEvent(event(t0), makeMatch(cooldownRule, { path }));
    const first = manager.getByKey(`ruta_inexistente:path=${path}`)!;
    manager.transition(first.id, "fallido", {});
    expect(manager.get(first.id)!.resuelto).toBe(formatLocalIso(t0));
    manager.handleEvent(event(t0 + 9 * MINUTE), makeMatch(cooldownRule, { path }));
    expect(manager.get(first.id)).toMatchObject({ ocurrencias: 2, ultima_ocurrencia: formatLocalIso(t0 + 9 * MINUTE) });
    manager.handleEvent(event(t0 + 20 * MINUTE), makeMatch(cooldownRule, { path }));
    const second = manager.getByKey(`ruta_inexistente:path=${path}`)!;
    expect(second.id).not.toBe(first.id);
    expect(second.timestamp).toBe(formatLocalIso(t0 + 20 * MINUTE));
    expect(manager.get(first.id)).toBeUndefined();
  });

  it("uses the wall clock once a catch-up reaches the present, whatever stamps come later", () => {
    const manager = setupAtWall();
    manager.handleEvent(makeEvent(logLine(WALL_MS - 3 * 24 * 60 * MINUTE, "old")), null);
    expect(manager.getLagMs()).toBeGreaterThan(0);
    // A line two seconds old is the present: reading it caught up, whatever comes later.
    manager.handleEvent(makeEvent(logLine(WALL_MS - 2000, "now")), makeMatch(cooldownRule, { path: "modelos/now" }));
    expect(manager.getLagMs()).toBe(0);
    expect(manager.getByKey("ruta_inexistente:path=modelos/now")!.timestamp).toBe(formatLocalIso(WALL_MS));
    manager.handleEvent(makeEvent(logLine(WALL_MS - 24 * 60 * MINUTE, "a stale stamp")), makeMatch(cooldownRule, { path: "modelos/stale" }));
    expect(manager.getByKey("ruta_inexistente:path=modelos/stale")!.timestamp).toBe(formatLocalIso(WALL_MS));
  });

  it("uses the wall clock for lines written after the caught-up bytes, and for a log that had no backlog", () => {
    const caughtUp = setupAtWall(readBacklogOf(1000));
    caughtUp.handleEvent(makeEvent(logLine(WALL_MS - 3 * 24 * 60 * MINUTE, "old"), { offset: 10 }), null);
    expect(caughtUp.getLagMs()).toBeGreaterThan(0);
    // Past the bytes the file held when first read: written since, followed live (an old stamp or not).
    caughtUp.handleEvent(makeEvent(logLine(WALL_MS - 2 * 24 * 60 * MINUTE, "later"), { offset: 1000 }), makeMatch(cooldownRule, { path: "modelos/later" }));
    expect(caughtUp.getLagMs()).toBe(0);
    expect(caughtUp.getByKey("ruta_inexistente:path=modelos/later")!.timestamp).toBe(formatLocalIso(WALL_MS));

    const live = setupAtWall(new CatchUpRanges());
    live.handleEvent(makeEvent(logLine(WALL_MS - 3 * 24 * 60 * MINUTE, "an old stamp, read live")), makeMatch(cooldownRule, { path: "modelos/live" }));
    expect(live.getLagMs()).toBe(0);
    expect(live.getByKey("ruta_inexistente:path=modelos/live")!.timestamp).toBe(formatLocalIso(WALL_MS));
  });
});

describe("SessionTally: the session summary's counts without every incident", () => {
  it("counts every incident of the session but remembers only those the manager still holds", () => {
    const { clock, manager } = setup();
    const tally = new SessionTally((id) => manager.isHeld(id));
    manager.changes$.subscribe((c) => tally.observe(c));
    for (let i = 0; i < 10_000; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      manager.transition(manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!.id, i % 4 === 0 ? "solucionado" : "fallido", {});
      if (i % 100 === 99) clock.jump(COOLDOWN_MS); // every hundred incidents, the earlier ones' cooldown ends
    }
    manager.handleEvent(makeEvent("still open"), makeMatch(mkdirRule, { path: "modelos/open" }));
    expect(tally.getCounts()).toEqual({
      total: 10_001,
      fixed: 2500,
      failed: 7500,
      open: 1,
      byType: { ruta_inexistente: { detectado: 1, pendiente: 0, reintentando: 0, solucionado: 2500, fallido: 7500 } },
    });
    // Remembered one by one: at most what the manager holds plus the changes since the last prune.
    expect(tally.size).toBeLessThanOrEqual(manager.getSizes().incidents + 4096);
    manager.sweep();
    const held = tally.listHeld();
    expect(held.length).toBe(manager.getSizes().incidents);
    expect(held.length).toBeLessThan(200);
    expect(held.map((i) => i.clave)).toContain("ruta_inexistente:path=modelos/open");
  });

  it("counts a state change once, under the incident's latest state", () => {
    const { manager } = setup();
    const tally = new SessionTally((id) => manager.isHeld(id));
    manager.changes$.subscribe((c) => tally.observe(c));
    manager.handleEvent(makeEvent("a"), makeMatch(mkdirRule, { path: "modelos/a" }));
    const id = manager.getByKey("ruta_inexistente:path=modelos/a")!.id;
    manager.transition(id, "reintentando", { intento: 1 });
    manager.handleEvent(makeEvent("a again"), makeMatch(mkdirRule, { path: "modelos/a" }));
    manager.transition(id, "solucionado", {});
    expect(tally.getCounts()).toMatchObject({ total: 1, fixed: 1, failed: 0, open: 0 });
  });
});
