import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { IncidentManager, type IncidentChange } from "../../src/incidents/incident-manager.js";
import { SessionTally } from "../../src/incidents/session-tally.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";

// What a vigia running for months keeps: what is open or recent, never everything it ever saw.

const T0 = Date.parse("2025-12-25T14:30:20.000+01:00");
const COOLDOWN_MS = 60_000;

function setup(options: { sweepIntervalMs?: number } = {}) {
  const clock = { ms: T0 };
  let n = 0;
  const manager = new IncidentManager({ now: () => clock.ms, createId: (ruleId) => `id-${ruleId}-${++n}`, sweepIntervalMs: options.sweepIntervalMs ?? 0 });
  const changes: IncidentChange[] = [];
  manager.changes$.subscribe((c) => changes.push(c));
  return { clock, manager, changes };
}

const mkdirRule = makeRule({ id: "ruta_inexistente", cooldownMs: COOLDOWN_MS, actions: [{ type: "mkdir", path: "{path}" }], verify: { type: "path_exists", path: "{path}" } });
const timeoutRule = makeRule({ id: "timeout", cooldownMs: COOLDOWN_MS, actions: [{ type: "wait" }], resolveOn: "Descarga exitosa: \\S*{video}" });

describe("IncidentManager: memory bounded by what is open or recent", () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("holds no closed incident once its cooldown is over, after any number of them", () => {
    const { clock, manager } = setup();
    for (let i = 0; i < 3000; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      const incident = manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!;
      manager.transition(incident.id, "fallido", { accion: "mkdir", detalle: "no" });
    }
    expect(manager.getSizes()).toMatchObject({ incidents: 3000, open: 0, keys: 3000 });
    clock.ms += COOLDOWN_MS;
    manager.sweep();
    expect(manager.getSizes()).toEqual({ incidents: 0, open: 0, keys: 0, resolvers: 0, dependents: 0, thresholdKeys: 0 });
  });

  it("keeps open incidents and recent closed ones, drops only the expired", () => {
    const { clock, manager } = setup();
    manager.handleEvent(makeEvent("old"), makeMatch(mkdirRule, { path: "modelos/old" }));
    manager.transition(manager.getByKey("ruta_inexistente:path=modelos/old")!.id, "fallido", {});
    clock.ms += COOLDOWN_MS - 1000;
    manager.handleEvent(makeEvent("recent"), makeMatch(mkdirRule, { path: "modelos/recent" }));
    manager.transition(manager.getByKey("ruta_inexistente:path=modelos/recent")!.id, "fallido", {});
    manager.handleEvent(makeEvent("open"), makeMatch(mkdirRule, { path: "modelos/open" }));
    clock.ms += 1000;
    manager.sweep();
    expect(manager.getSizes()).toMatchObject({ incidents: 2, open: 1, keys: 2 });
    expect(manager.getByKey("ruta_inexistente:path=modelos/old")).toBeUndefined();
  });

  it("sweeps on its timer while no match comes: a burst leaves memory after its cooldown on an idle log", () => {
    jest.useFakeTimers({ now: T0 });
    const { clock, manager } = setup({ sweepIntervalMs: 10_000 });
    for (let i = 0; i < 100; i++) {
      manager.handleEvent(makeEvent(`e${i}`), makeMatch(mkdirRule, { path: `modelos/m${i}` }));
      manager.transition(manager.getByKey(`ruta_inexistente:path=modelos/m${i}`)!.id, "fallido", {});
    }
    clock.ms += COOLDOWN_MS;
    expect(manager.getSizes().incidents).toBe(100);
    jest.advanceTimersByTime(10_000);
    expect(manager.getSizes().incidents).toBe(0);
    manager.shutdown();
  });

  it("lets go of resolve_on candidates when their incidents close", () => {
    const { clock, manager } = setup();
    for (let i = 0; i < 500; i++) manager.handleEvent(makeEvent(`Timed out v${i}.mp4`), makeMatch(timeoutRule, { video: `v${i}.mp4` }));
    expect(manager.getSizes()).toMatchObject({ open: 500, resolvers: 500 });
    for (let i = 0; i < 500; i++) manager.handleEvent(makeEvent(`INFO Descarga exitosa: modelos/ana/v${i}.mp4`));
    expect(manager.getSizes()).toMatchObject({ open: 0, resolvers: 0, incidents: 500 });
    clock.ms += COOLDOWN_MS;
    manager.sweep();
    expect(manager.getSizes().incidents).toBe(0);
  });

  it("forgets threshold counts whose window passed", () => {
    const { clock, manager } = setup();
    const rule = makeRule({ id: "timeout", threshold: { count: 3, withinMs: 60_000 }, actions: [{ type: "wait" }] });
    for (let i = 0; i < 1000; i++) manager.handleEvent(makeEvent(`t${i}`), makeMatch(rule, { video: `v${i}.mp4` }));
    expect(manager.getSizes()).toMatchObject({ incidents: 0, thresholdKeys: 1000 });
    clock.ms += 60_000;
    manager.sweep();
    expect(manager.getSizes().thresholdKeys).toBe(0);
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
      if (i % 100 === 99) clock.ms += COOLDOWN_MS; // every hundred incidents, the earlier ones' cooldown ends
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
