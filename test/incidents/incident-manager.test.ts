import { describe, expect, it } from "@jest/globals";
import {
  IncidentManager,
  RemediationAbort,
  UnknownIncidentError,
  type IncidentChange,
  type RemediationRequest,
  type ReverifyRequest,
} from "../../src/incidents/incident-manager.js";
import { InvalidTransitionError, applyTransition } from "../../src/incidents/incident-state.js";
import { createIncident, type TrackedIncident } from "../../src/incidents/create-incident.js";
import type { CompiledRule } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { ANY_LINE } from "../../src/incidents/resolver-needle.js";

const T0 = Date.parse("2025-12-25T14:30:20.000+01:00");

/** A manager on a virtual clock, with every change recorded and the executor's requests apart. */
function setup(options: { maxReopen?: number } = {}) {
  const clock = new VirtualClock(T0);
  let n = 0;
  const manager = new IncidentManager({
    clock,
    sweepIntervalMs: 0, // the tests sweep by hand
    maxReopen: options.maxReopen,
    createId: (ruleId) => `id-${ruleId}-${++n}`,
  });
  const changes: IncidentChange[] = [];
  const requests: RemediationRequest[] = [];
  const reverifies: ReverifyRequest[] = [];
  manager.changes$.subscribe((c) => {
    if (c.type === "remediate") requests.push(c.request);
    else if (c.type === "reverify") reverifies.push(c.request);
    else changes.push(c);
  });
  const types = () => changes.map((c) => (c.type === "transition" ? `${c.type}:${c.incident.estado}` : c.type));
  return { clock, manager, changes, requests, reverifies, types };
}

const alertOnly = makeRule({ id: "disco_lleno", severity: "critical" });
const mkdirRule = makeRule({
  id: "ruta_inexistente",
  actions: [{ type: "mkdir", path: "{path}" }],
  verify: { type: "path_exists", path: "{path}" },
});

describe("IncidentManager: folding and cooldown", () => {
  it("folds matches of one key into the open incident and opens one per key", () => {
    const { clock, manager, changes, requests } = setup();
    manager.handleEvent(makeEvent("a"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    clock.jump(1000);
    manager.handleEvent(makeEvent("a again"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    manager.handleEvent(makeEvent("b"), makeMatch(mkdirRule, { path: "modelos/bea" }));
    const open = manager.listOpen();
    expect(open.map((i) => [i.clave, i.ocurrencias])).toEqual([
      ["ruta_inexistente:path=modelos/ana", 2],
      ["ruta_inexistente:path=modelos/bea", 1],
    ]);
    expect(Date.parse(open[0]!.ultima_ocurrencia)).toBe(T0 + 1000);
    expect(Date.parse(open[0]!.timestamp)).toBe(T0);
    expect(changes.map((c) => c.type)).toEqual(["opened", "folded", "opened"]);
    expect(requests.map((r) => [r.incident.clave, r.reason, r.incident.estado])).toEqual([
      ["ruta_inexistente:path=modelos/ana", "new", "detectado"],
      ["ruta_inexistente:path=modelos/bea", "new", "detectado"],
    ]);
    expect(manager.getCounters()).toMatchObject({ matches: 3, opened: 2, folded: 1 });
  });

  it("closes an alert-only incident at once: detectado → fallido, accion 'solo alerta'", () => {
    const { manager, types, requests, changes } = setup();
    manager.handleEvent(makeEvent("No space left on device"), makeMatch(alertOnly, {}));
    expect(types()).toEqual(["opened", "transition:fallido"]);
    expect(requests).toHaveLength(0);
    const closed = (changes[1] as Extract<IncidentChange, { type: "transition" }>).incident;
    expect(closed).toMatchObject({ estado: "fallido", accion: "solo alerta" });
    expect(closed.transiciones.map((t) => [t.estado, t.accion])).toEqual([
      ["detectado", null],
      ["fallido", "solo alerta"],
    ]);
    expect(closed.duracion_ms).toBe(0);
  });

  it("folds repeats into a closed incident during its cooldown, then opens a new one", () => {
    const { clock, manager, types } = setup();
    const rule = makeRule({ id: "disco_lleno", cooldownMs: 60_000 });
    manager.handleEvent(makeEvent("full"), makeMatch(rule, {}));
    const first = manager.getByKey("disco_lleno")!;
    clock.jump(59_999);
    manager.handleEvent(makeEvent("full"), makeMatch(rule, {}));
    expect(manager.get(first.id)).toMatchObject({ estado: "fallido", ocurrencias: 2 });
    clock.jump(1);
    manager.handleEvent(makeEvent("full"), makeMatch(rule, {}));
    const second = manager.getByKey("disco_lleno")!;
    expect(second.id).not.toBe(first.id);
    expect(second.ocurrencias).toBe(1);
    expect(types()).toEqual(["opened", "transition:fallido", "folded", "opened", "transition:fallido"]);
  });

  it("asks the executor to re-verify a solucionado incident once per outstanding question, and reopens on failure", () => {
    const { clock, manager, requests, reverifies, types } = setup({ maxReopen: 2 });
    const key = "ruta_inexistente:path=modelos/ana";
    manager.handleEvent(makeEvent("missing"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    const first = requests[0]!.incident;
    manager.transition(first.id, "reintentando", { accion: "mkdir -p modelos/ana", intento: 1 });
    manager.transition(first.id, "solucionado", { detalle: "path_exists ok" });
    clock.jump(1000);
    manager.handleEvent(makeEvent("missing again"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    manager.handleEvent(makeEvent("missing again"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    expect(reverifies).toHaveLength(1); // a burst of repeats is one question
    expect(manager.get(first.id)!.ocurrencias).toBe(3);

    const reopened = reverifies[0]!.settle(false);
    expect(reopened).toMatchObject({ ok: true });
    expect(reverifies[0]!.settle(false)).toBeNull(); // settled once
    const second = manager.getByKey(key)!;
    expect(second.id).not.toBe(first.id);
    expect(requests.map((r) => r.reason)).toEqual(["new", "reopened"]);

    // The chain of reopens is bounded: second closes, repeats, fails re-verify → third; then the limit.
    manager.transition(second.id, "solucionado", {});
    manager.handleEvent(makeEvent("x"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    expect(reverifies[1]!.settle(false)).toMatchObject({ ok: true });
    const third = manager.getByKey(key)!;
    manager.transition(third.id, "solucionado", {});
    manager.handleEvent(makeEvent("x"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    expect(reverifies[2]!.settle(false)).toEqual({ ok: false, reason: "limit" });
    expect(manager.reopen(key)).toEqual({ ok: false, reason: "limit" });

    // A fix that holds: no reopen, and the next repeat may ask again.
    manager.handleEvent(makeEvent("x"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    expect(reverifies).toHaveLength(4);
    expect(reverifies[3]!.settle(true)).toBeNull();
    expect(types().filter((t) => t === "opened")).toHaveLength(3);
  });

  it("refuses to reopen an open key, an unknown key, or after the cooldown", () => {
    const { clock, manager, requests } = setup();
    expect(manager.reopen("nope")).toEqual({ ok: false, reason: "unknown_key" });
    manager.handleEvent(makeEvent("m"), makeMatch(mkdirRule, { path: "p" }));
    const key = requests[0]!.incident.clave;
    expect(manager.reopen(key)).toEqual({ ok: false, reason: "still_open" });
    manager.transition(requests[0]!.incident.id, "solucionado", {});
    clock.jump(60_000);
    expect(manager.reopen(key)).toEqual({ ok: false, reason: "cooldown_over" });
  });

  it("forgets keys past their cooldown on sweep", () => {
    const { clock, manager } = setup();
    manager.handleEvent(makeEvent("full"), makeMatch(alertOnly, {}));
    const id = manager.getByKey("disco_lleno")!.id;
    clock.jump(60_000);
    manager.sweep();
    expect(manager.get(id)).toBeUndefined();
    expect(manager.getByKey("disco_lleno")).toBeUndefined();
  });
});

describe("IncidentManager: thresholds", () => {
  const rule = makeRule({ id: "timeout", threshold: { count: 3, withinMs: 60_000 }, actions: [{ type: "wait" }] });

  it("counts matches below the threshold without opening, opens on the count-th within the window", () => {
    const { clock, manager, changes } = setup();
    const key = "timeout:video=a.mp4";
    manager.handleEvent(makeEvent("t"), makeMatch(rule, { video: "a.mp4" }));
    clock.jump(30_000);
    manager.handleEvent(makeEvent("t"), makeMatch(rule, { video: "a.mp4" }));
    expect(manager.getThresholdCount(key)).toBe(2);
    expect(manager.listOpen()).toHaveLength(0);
    expect(changes.map((c) => (c.type === "counted" ? [c.key, c.count, c.needed] : c.type))).toEqual([
      [key, 1, 3],
      [key, 2, 3],
    ]);
    // The first match leaves the window: this is the 2nd within 60 s, not the 3rd.
    clock.jump(30_000);
    manager.handleEvent(makeEvent("t"), makeMatch(rule, { video: "a.mp4" }));
    expect(manager.listOpen()).toHaveLength(0);
    clock.jump(1000);
    manager.handleEvent(makeEvent("t"), makeMatch(rule, { video: "a.mp4" }));
    const [incident] = manager.listOpen();
    expect(incident).toMatchObject({ clave: key, ocurrencias: 3 });
    expect(manager.getThresholdCount(key)).toBe(0);
    expect(manager.getCounters()).toMatchObject({ belowThreshold: 3, opened: 1 });
  });

  it("counts keys separately", () => {
    const { manager } = setup();
    for (const v of ["a", "b", "a", "b", "a"]) manager.handleEvent(makeEvent(v), makeMatch(rule, { video: v }));
    expect(manager.listOpen().map((i) => i.clave)).toEqual(["timeout:video=a"]);
    expect(manager.getThresholdCount("timeout:video=b")).toBe(2);
  });
});

describe("IncidentManager: resolve_on", () => {
  const rule = makeRule({
    id: "timeout",
    actions: [{ type: "wait" }],
    resolveOn: "Descarga exitosa.*{video}",
  });

  it("closes the incident solucionado on a later matching event and aborts its remediation", () => {
    const { manager, requests, changes } = setup();
    manager.handleEvent(makeEvent("Timed out a.mp4"), makeMatch(rule, { video: "a.mp4" }));
    manager.handleEvent(makeEvent("Timed out b.mp4"), makeMatch(rule, { video: "b.mp4" }));
    const [a, b] = requests;
    manager.handleEvent(makeEvent("Descarga exitosa: aXmp4")); // the dot is literal, not "any char"
    manager.handleEvent(makeEvent("INFO unrelated"));
    expect(a!.signal.aborted).toBe(false);
    manager.handleEvent(makeEvent("2025-12-25 14:31:00 INFO Descarga exitosa: modelos/ana/a.mp4"));
    expect(a!.signal.aborted).toBe(true);
    expect(a!.signal.reason).toBeInstanceOf(RemediationAbort);
    expect((a!.signal.reason as RemediationAbort).kind).toBe("resolve_on");
    expect(b!.signal.aborted).toBe(false);
    const closed = manager.get(a!.incident.id)!;
    expect(closed.estado).toBe("solucionado");
    expect(closed.transiciones.at(-1)!.detalle).toBe("resuelto por: 2025-12-25 14:31:00 INFO Descarga exitosa: modelos/ana/a.mp4");
    expect(manager.getCounters().resolvedByEvent).toBe(1);
    // The executor's late step on a closed incident is refused with a typed error.
    expect(() => manager.transition(a!.incident.id, "reintentando", { intento: 2 })).toThrow(InvalidTransitionError);
    expect(changes.filter((c) => c.type === "transition")).toHaveLength(1);
  });

  it("resolves an incident opened earlier in the same batch", () => {
    const { manager, requests } = setup();
    const failing = makeEvent("Timed out a.mp4");
    const ok = makeEvent("Descarga exitosa a.mp4");
    manager.handleBatch([failing, makeEvent("noise"), ok], [makeMatch(rule, { video: "a.mp4" }, failing)]);
    expect(manager.get(requests[0]!.incident.id)!.estado).toBe("solucionado");
  });

  it("does not let the opening event resolve its own incident", () => {
    const selfish = makeRule({ id: "x", resolveOn: "Timed out" });
    const { manager } = setup();
    manager.handleEvent(makeEvent("Timed out"), makeMatch(selfish, {}));
    expect(manager.listOpen()).toHaveLength(1);
  });

  it("tells the matching worker what the lines that may close an open incident name, as it starts waiting and as it closes", () => {
    const told: Array<[string, string, boolean]> = [];
    const manager = new IncidentManager({ clock: new VirtualClock(T0), sweepIntervalMs: 0, onResolverWatch: (...w) => told.push(w) });
    const byName = makeRule({ id: "timeout", match: /Timed out (?<video>\S+)/, actions: [{ type: "wait" }], resolveOn: "Descarga exitosa.*{video}" });
    const caseBlind = makeRule({ id: "corrupto", match: /corrupt (?<video>\S+)/i, actions: [{ type: "wait" }], resolveOn: "ok {video}" });
    manager.handleEvent(makeEvent("Timed out a.mp4"), makeMatch(byName, { video: "a.mp4" }));
    manager.handleEvent(makeEvent("Timed out a.mp4"), makeMatch(byName, { video: "a.mp4" })); // a repeat: told once
    manager.handleEvent(makeEvent("corrupt b.mp4"), makeMatch(caseBlind, { video: "b.mp4" }));
    manager.handleEvent(makeEvent("Timed out"), makeMatch(byName, {})); // nothing can close it: nothing to tell
    expect(told).toEqual([
      ["timeout", "a.mp4", true],
      ["corrupto", ANY_LINE, true],
    ]);
    manager.handleEvent(makeEvent("Descarga exitosa: modelos/ana/a.mp4"));
    expect(told.at(-1)).toEqual(["timeout", "a.mp4", false]);
  });

  it("warns and keeps the incident when the template needs a field that was not captured", () => {
    const { manager, changes } = setup();
    manager.handleEvent(makeEvent("Timed out"), makeMatch(rule, {}));
    expect(changes.some((c) => c.type === "warning" && /needs field 'video'/.test(c.message))).toBe(true);
    expect(manager.listOpen()).toHaveLength(1);
  });
});

describe("IncidentManager: depends_on (root cause first)", () => {
  const server = makeRule({ id: "servidor_caido", actions: [{ type: "wait" }], severity: "critical" });
  const timeout = makeRule({ id: "timeout", actions: [{ type: "wait" }], dependsOn: ["servidor_caido"] });

  it("holds new dependents in pendiente while the root is open and releases them when it is fixed", () => {
    const { manager, requests, changes } = setup();
    manager.handleEvent(makeEvent("Connection refused"), makeMatch(server, {}));
    const root = requests[0]!.incident;
    manager.handleEvent(makeEvent("Timed out a"), makeMatch(timeout, { video: "a" }));
    manager.handleEvent(makeEvent("Timed out b"), makeMatch(timeout, { video: "b" }));
    expect(requests).toHaveLength(1); // no attempts, no request for the dependents
    const waiting = manager.listOpen().filter((i) => i.error_type === "timeout");
    expect(waiting.map((i) => i.estado)).toEqual(["pendiente", "pendiente"]);
    expect(waiting[0]!.transiciones.at(-1)!.detalle).toBe(`esperando causa raíz: servidor_caido ${root.id}`);

    manager.transition(root.id, "reintentando", { intento: 1, accion: "wait" });
    expect(requests).toHaveLength(1);
    manager.transition(root.id, "solucionado", {});
    expect(requests.slice(1).map((r) => [r.incident.campos.video, r.reason, r.incident.estado])).toEqual([
      ["a", "released", "pendiente"],
      ["b", "released", "pendiente"],
    ]);
    // A dependent opened after the fix goes straight to remediation.
    manager.handleEvent(makeEvent("Timed out c"), makeMatch(timeout, { video: "c" }));
    expect(requests.at(-1)!.reason).toBe("new");
    expect(changes.filter((c) => c.type === "transition" && c.incident.estado === "fallido")).toHaveLength(0);
  });

  it("fails the dependents with the root cause when the root fails", () => {
    const { manager, requests, changes } = setup();
    manager.handleEvent(makeEvent("Connection refused"), makeMatch(server, {}));
    const root = requests[0]!.incident;
    manager.handleEvent(makeEvent("Timed out a"), makeMatch(timeout, { video: "a" }));
    manager.transition(root.id, "fallido", { accion: "reintento 3/3" });
    const failed = changes.filter(
      (c): c is Extract<IncidentChange, { type: "transition" }> => c.type === "transition" && c.incident.estado === "fallido",
    );
    expect(failed.map((c) => c.incident.error_type)).toEqual(["servidor_caido", "timeout"]);
    expect(failed[1]!.incident.transiciones.at(-1)!.detalle).toBe(`causa raíz: servidor_caido ${root.id}`);
    expect(failed[1]!.rootCause?.id).toBe(root.id);
    expect(failed[1]!.incident.intento).toBe(0); // no attempt burned
    expect(requests).toHaveLength(1);
  });

  it("waits for every open root and fails on the first that fails", () => {
    const { manager, requests } = setup();
    manager.handleEvent(makeEvent("refused 1"), makeMatch(server, { host: "1" }));
    manager.handleEvent(makeEvent("refused 2"), makeMatch(server, { host: "2" }));
    manager.handleEvent(makeEvent("Timed out"), makeMatch(timeout, { video: "a" }));
    manager.transition(requests[0]!.incident.id, "solucionado", {});
    expect(requests).toHaveLength(2); // still waiting for the second root
    manager.transition(requests[1]!.incident.id, "solucionado", {});
    expect(requests.at(-1)!.reason).toBe("released");
  });

  it("lets a waiting dependent be resolved by its own resolve_on", () => {
    const resolvable = makeRule({ id: "timeout", resolveOn: "ok {video}", dependsOn: ["servidor_caido"] });
    const { manager, requests } = setup();
    manager.handleEvent(makeEvent("refused"), makeMatch(server, {}));
    manager.handleEvent(makeEvent("Timed out"), makeMatch(resolvable, { video: "a" }));
    manager.handleEvent(makeEvent("ok a"));
    const dep = manager.listOpen().find((i) => i.error_type === "timeout");
    expect(dep).toBeUndefined();
    manager.transition(requests[0]!.incident.id, "fallido", {});
    expect(requests).toHaveLength(1);
  });
});

describe("IncidentManager: executor contract", () => {
  it("asks the executor on its stream; a request whose incident closed otherwise is aborted", () => {
    const { manager, requests } = setup();
    const resolvable = makeRule({ id: "timeout", actions: [{ type: "wait" }], resolveOn: "ok {video}" });
    manager.handleEvent(makeEvent("t a"), makeMatch(resolvable, { video: "a" }));
    manager.handleEvent(makeEvent("t b"), makeMatch(resolvable, { video: "b" }));
    manager.handleEvent(makeEvent("ok a"));
    expect(requests.map((r) => [r.incident.campos.video, r.reason, r.signal.aborted])).toEqual([
      ["a", "new", true],
      ["b", "new", false],
    ]);
    expect((requests[0]!.signal.reason as RemediationAbort).kind).toBe("resolve_on");
  });

  it("records the executor's steps and refuses unknown ids", () => {
    const { manager, requests } = setup();
    manager.handleEvent(makeEvent("m"), makeMatch(mkdirRule, { path: "modelos/ana" }));
    const { id } = requests[0]!.incident;
    manager.transition(id, "pendiente", { detalle: "en cola" });
    manager.transition(id, "reintentando", { intento: 1, accion: "mkdir -p modelos/ana" });
    manager.transition(id, "reintentando", { intento: 2, accion: "reintento 2/3", detalle: "EACCES" });
    const done = manager.transition(id, "solucionado", { detalle: "path_exists ok" });
    expect(done.transiciones.map((t) => `${t.estado}/${t.intento}/${t.accion ?? "-"}`)).toEqual([
      "detectado/0/-",
      "pendiente/0/-",
      "reintentando/1/mkdir -p modelos/ana",
      "reintentando/2/reintento 2/3",
      "solucionado/2/-",
    ]);
    expect(done.accion).toBe("reintento 2/3");
    expect((requests[0]!.signal.reason as RemediationAbort).kind).toBe("closed");
    expect(() => manager.transition("nope", "fallido")).toThrow(UnknownIncidentError);
  });

  it("aborts remediations in progress on shutdown and completes changes$", () => {
    const { manager, requests } = setup();
    let completed = false;
    manager.changes$.subscribe({ complete: () => (completed = true) });
    manager.handleEvent(makeEvent("m"), makeMatch(mkdirRule, { path: "p" }));
    manager.shutdown();
    expect((requests[0]!.signal.reason as RemediationAbort).kind).toBe("shutdown");
    expect(completed).toBe(true);
  });
});

describe("IncidentManager: restart from the journal", () => {
  const server = makeRule({ id: "servidor_caido", actions: [{ type: "wait" }] });
  const timeout = makeRule({ id: "timeout", actions: [{ type: "wait" }], dependsOn: ["servidor_caido"] });
  const rules: CompiledRule[] = [mkdirRule, alertOnly, server, timeout];

  /** A journal written by a first manager, as JSON round-trips it. */
  function runFirstSession(feed: (m: IncidentManager, requests: RemediationRequest[]) => void): unknown[] {
    const { manager, requests, changes } = setup();
    feed(manager, requests);
    const byId = new Map<string, TrackedIncident>();
    for (const c of changes) if ("incident" in c && c.incident) byId.set(c.incident.id, c.incident);
    return JSON.parse(JSON.stringify([...byId.values()])) as unknown[];
  }

  it("resumes open incidents from their recorded attempt and keeps closed keys for the cooldown", () => {
    const journal = runFirstSession((m, requests) => {
      m.handleEvent(makeEvent("m ana"), makeMatch(mkdirRule, { path: "modelos/ana" }));
      m.transition(requests[0]!.incident.id, "reintentando", { intento: 2, accion: "reintento 2/3" });
      m.handleEvent(makeEvent("full"), makeMatch(alertOnly, {}));
    });
    journal.push({ timestamp: "2025-12-20T10:00:00", modelo: "x", video: null, error_type: "permisos", estado: "fallido" }); // seed-system record
    const { clock, manager, requests, changes } = setup();
    clock.jump(T0 + 5000 - clock.now());
    const report = manager.seed(journal, rules);
    expect(report).toEqual({ resumed: 1, waiting: 0, inCooldown: 1, orphaned: 0, ignored: 1, dryRunDiscarded: 0 });
    expect(requests.map((r) => [r.reason, r.incident.estado, r.incident.intento])).toEqual([["resumed", "reintentando", 2]]);
    expect(changes).toHaveLength(0); // seeding itself changes nothing
    // A repeat within the cooldown folds into the journaled incident instead of duplicating it.
    manager.handleEvent(makeEvent("full again"), makeMatch(alertOnly, {}));
    expect(changes.map((c) => c.type)).toEqual(["folded"]);
    expect((changes[0] as Extract<IncidentChange, { type: "folded" }>).incident.ocurrencias).toBe(2);
    // Past the cooldown, the key opens a new incident.
    clock.jump(T0 + 61_000 - clock.now());
    manager.handleEvent(makeEvent("full later"), makeMatch(alertOnly, {}));
    expect(changes.map((c) => c.type)).toEqual(["folded", "opened", "transition"]);
  });

  it("re-establishes root-cause waits and closes incidents of rules no longer loaded", () => {
    const journal = runFirstSession((m) => {
      m.handleEvent(makeEvent("refused"), makeMatch(server, {}));
      m.handleEvent(makeEvent("Timed out"), makeMatch(timeout, { video: "a" }));
      m.handleEvent(makeEvent("m"), makeMatch(mkdirRule, { path: "p" }));
    });
    const { manager, requests, changes } = setup();
    const report = manager.seed(journal, [server, timeout]);
    expect(report).toMatchObject({ resumed: 1, waiting: 1, orphaned: 1 });
    expect(requests.map((r) => r.incident.error_type)).toEqual(["servidor_caido"]);
    const orphan = changes.find((c) => c.type === "transition")!;
    expect(orphan).toMatchObject({ incident: { error_type: "ruta_inexistente", estado: "fallido" } });
    expect((orphan as Extract<IncidentChange, { type: "transition" }>).incident.transiciones.at(-1)!.detalle).toBe(
      "regla 'ruta_inexistente' ya no está cargada",
    );
    manager.transition(requests[0]!.incident.id, "solucionado", {});
    expect(requests.map((r) => [r.incident.error_type, r.reason])).toEqual([
      ["servidor_caido", "resumed"],
      ["timeout", "released"],
    ]);
  });

  it("skips matches replayed after a SIGKILL (position ≤ the journaled one) and only those", () => {
    const fileId = "2049:777";
    const first = makeEvent("m ana 1", { fileId, offset: 0 });
    const second = makeEvent("m ana 2", { fileId, offset: first.endOffset });
    const journal = runFirstSession((m) => {
      m.handleEvent(first, makeMatch(mkdirRule, { path: "modelos/ana" }, first));
      m.handleEvent(second, makeMatch(mkdirRule, { path: "modelos/ana" }, second));
    });
    expect(journal[0]).toMatchObject({ ocurrencias: 2, posicion: { fileId, endOffset: second.endOffset } });

    const { manager, changes } = setup();
    manager.seed(journal, rules);
    // The tailer's checkpoint was at 0: both lines come again, then a new one.
    manager.handleEvent(first, makeMatch(mkdirRule, { path: "modelos/ana" }, first));
    manager.handleEvent(second, makeMatch(mkdirRule, { path: "modelos/ana" }, second));
    expect(changes.map((c) => c.type)).toEqual(["skipped", "skipped"]);
    expect(manager.getCounters().replaySkipped).toBe(2);
    const third = makeEvent("m ana 3", { fileId, offset: second.endOffset });
    manager.handleEvent(third, makeMatch(mkdirRule, { path: "modelos/ana" }, third));
    expect(manager.listOpen().map((i) => i.ocurrencias)).toEqual([3]);
    // Once past the replay, a truncated file (same dev:ino, offsets from 0) is live data, not a replay.
    const afterTruncate = makeEvent("m ana 4", { fileId, offset: 0 });
    manager.handleEvent(afterTruncate, makeMatch(mkdirRule, { path: "modelos/ana" }, afterTruncate));
    expect(manager.listOpen().map((i) => i.ocurrencias)).toEqual([4]);
    // Another file's offsets are never compared with this one's.
    const other = makeEvent("m ana other", { fileId: "2049:778", offset: 0 });
    manager.handleEvent(other, makeMatch(mkdirRule, { path: "modelos/ana" }, other));
    expect(manager.listOpen().map((i) => i.ocurrencias)).toEqual([5]);
  });

  it("does not duplicate a closed incident re-read after the cooldown ended while vigia was down", () => {
    const fileId = "2049:9";
    const ev = makeEvent("No space left on device", { fileId, offset: 4096 });
    const journal = runFirstSession((m) => m.handleEvent(ev, makeMatch(alertOnly, {}, ev)));
    const { clock, manager, changes } = setup();
    clock.jump(T0 + 3_600_000 - clock.now()); // an hour later: the cooldown is long over
    manager.seed(journal, rules);
    manager.handleEvent(ev, makeMatch(alertOnly, {}, ev));
    expect(changes.map((c) => c.type)).toEqual(["skipped"]);
  });

  /** A journaled incident of `rule` for `fields`, last folded at `lastMs` at `posicion`. */
  function journaled(rule: CompiledRule, fields: Record<string, string>, lastMs: number, posicion: { fileId: string; endOffset: number }, id: string) {
    const base = createIncident(makeMatch(rule, fields), { nowMs: lastMs, id, defaultMaxIntentos: 3 });
    return JSON.parse(JSON.stringify({ ...applyTransition(base, "fallido", { accion: "solo alerta" }, lastMs), posicion })) as unknown;
  }

  it("arms only positions recorded shortly before the journal's last entry", () => {
    const fileId = "2049:50";
    const journal = [
      journaled(alertOnly, {}, T0, { fileId, endOffset: 5000 }, "old"),
      journaled(mkdirRule, { path: "x" }, T0 + 7_200_000, { fileId: "2049:51", endOffset: 10 }, "newest"),
    ];
    const { clock, manager, changes } = setup();
    clock.jump(T0 + 7_300_000 - clock.now());
    manager.seed(journal, rules);
    // The file was truncated since the old incident: offset 3000 is new data, not a replay.
    const ev = makeEvent("No space left on device", { fileId, offset: 2900 });
    manager.handleEvent(ev, makeMatch(alertOnly, {}, ev));
    expect(changes.map((c) => c.type)).toEqual(["opened", "transition"]);
  });

  it("uses a key's latest incident, not the one at the largest offset", () => {
    const fileId = "2049:60";
    const journal = [
      journaled(alertOnly, {}, T0, { fileId, endOffset: 5000 }, "before-truncate"),
      journaled(alertOnly, {}, T0 + 30_000, { fileId, endOffset: 1000 }, "after-truncate"),
    ];
    const { clock, manager, changes } = setup();
    clock.jump(T0 + 3_600_000 - clock.now());
    manager.seed(journal, rules);
    const replayed = makeEvent("No space left on device", { fileId, offset: 900 });
    manager.handleEvent(replayed, makeMatch(alertOnly, {}, replayed));
    expect(changes.map((c) => c.type)).toEqual(["skipped"]);
    const fresh = makeEvent("No space left on device", { fileId, offset: 2900 });
    manager.handleEvent(fresh, makeMatch(alertOnly, {}, fresh));
    expect(changes.map((c) => c.type)).toEqual(["skipped", "opened", "transition"]);
  });
});
