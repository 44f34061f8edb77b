import { describe, expect, it } from "@jest/globals";
import { Subject, lastValueFrom, toArray } from "rxjs";
import { foldIntoIncidents } from "../../src/incidents/fold-into-incidents.js";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import type { IncidentInput } from "../../src/incidents/incident-input.js";
import type { MatchedBatch } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const describeChange = (c: { type: string; incident?: { estado: string } | null }): string => (c.type === "transition" ? c.incident!.estado : c.type);

describe("foldIntoIncidents", () => {
  it("feeds whole batches to the manager, unmatched events included, and emits its decisions until it shuts down", async () => {
    const rule = makeRule({ id: "timeout", actions: [{ type: "wait" }], resolveOn: "Descarga exitosa.*{video}" });
    const manager = new IncidentManager({ clock: new VirtualClock(0) });
    const batches$ = new Subject<MatchedBatch>();
    const changes = lastValueFrom(batches$.pipe(foldIntoIncidents(manager), toArray()));
    const failing = makeEvent("Timed out a.mp4");
    batches$.next({ events: [makeEvent("noise"), failing], matches: [makeMatch(rule, { video: "a.mp4" }, failing)], eventCount: 2 });
    batches$.next({ events: [makeEvent("Descarga exitosa: a.mp4")], matches: [], eventCount: 1 }); // no match, still needed: it resolves
    batches$.complete();
    // Decisions made after the last batch (a remediation step, a check) still come out, up to the shutdown.
    const late = makeEvent("Timed out b.mp4");
    manager.handleEvent(late, makeMatch(rule, { video: "b.mp4" }, late));
    manager.shutdown();
    expect((await changes).map(describeChange)).toEqual(["opened", "remediate", "solucionado", "opened", "remediate"]);
  });
});

describe("foldIntoIncidents: verdicts from outside the log", () => {
  it("closes or notes the open incident of a key, leaves a check's own incident to its recovery, and ignores a key with none open", async () => {
    const rule = makeRule({ id: "servidor_caido", closedExternally: true });
    const manager = new IncidentManager({ clock: new VirtualClock(0) });
    const inputs$ = new Subject<IncidentInput>();
    const changes = lastValueFrom(inputs$.pipe(foldIntoIncidents(manager), toArray()));
    const fromCheck = makeEvent("bot_api: connection refused", { source: "check:bot_api" });
    inputs$.next({ events: [fromCheck], matches: [{ ...makeMatch(rule, {}, fromCheck), key: "check:bot_api" }], eventCount: 1 });
    inputs$.next({ type: "note", key: "check:bot_api", accion: "bot detenido", detalle: null, message: "bot stopped" });
    inputs$.next({ type: "close", key: "check:bot_api", estado: "solucionado", accion: "recuperado", detalle: "HTTP 200", message: "recovered: HTTP 200", onlyIfLogOpened: true });
    expect(manager.getByKey("check:bot_api")?.estado).toBe("detectado");
    inputs$.next({ type: "close", key: "check:bot_api", estado: "solucionado", accion: "recuperado", detalle: "HTTP 200", message: "recovered: HTTP 200" });
    inputs$.next({ type: "close", key: "check:nunca", estado: "fallido", accion: "x", detalle: "y", message: "z" });
    manager.shutdown();
    expect((await changes).map(describeChange)).toEqual(["opened", "detectado", "solucionado"]);
    expect(manager.getByKey("check:bot_api")?.transiciones.map((t) => t.accion)).toEqual([null, "bot detenido", "recuperado"]);
  });
});
