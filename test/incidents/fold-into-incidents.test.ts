import { describe, expect, it } from "@jest/globals";
import { from, lastValueFrom, toArray } from "rxjs";
import { foldIntoIncidents } from "../../src/incidents/fold-into-incidents.js";
import { IncidentManager, type IncidentChange } from "../../src/incidents/incident-manager.js";
import type { MatchedBatch } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";

describe("foldIntoIncidents", () => {
  it("feeds whole batches to the manager, unmatched events included, and passes them on", async () => {
    const rule = makeRule({ id: "timeout", actions: [{ type: "wait" }], resolveOn: "Descarga exitosa.*{video}" });
    const manager = new IncidentManager({ now: () => 0 });
    const changes: IncidentChange[] = [];
    manager.changes$.subscribe((c) => changes.push(c));
    const failing = makeEvent("Timed out a.mp4");
    const batches: MatchedBatch[] = [
      { events: [makeEvent("noise"), failing], matches: [makeMatch(rule, { video: "a.mp4" }, failing)], eventCount: 2 },
      { events: [makeEvent("Descarga exitosa: a.mp4")], matches: [], eventCount: 1 }, // no match, still needed: it resolves
    ];
    const out = await lastValueFrom(from(batches).pipe(foldIntoIncidents(manager), toArray()));
    expect(out).toEqual(batches);
    expect(changes.map((c) => (c.type === "transition" ? c.incident.estado : c.type))).toEqual(["opened", "solucionado"]);
  });
});
