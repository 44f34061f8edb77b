import { describe, expect, it } from "@jest/globals";
import { Subject, lastValueFrom, toArray } from "rxjs";
import { foldIntoIncidents } from "../../src/incidents/fold-into-incidents.js";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import type { MatchedBatch } from "../../src/types.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";

const describeChange = (c: { type: string; incident?: { estado: string } | null }): string => (c.type === "transition" ? c.incident!.estado : c.type);

describe("foldIntoIncidents", () => {
  it("feeds whole batches to the manager, unmatched events included, and emits its decisions until it shuts down", async () => {
    const rule = makeRule({ id: "timeout", actions: [{ type: "wait" }], resolveOn: "Descarga exitosa.*{video}" });
    const manager = new IncidentManager({ now: () => 0 });
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
