import { describe, expect, it } from "@jest/globals";
import { compileResolveGate, compileResolveOn } from "../../src/incidents/compile-resolve-on.js";
import type { CompiledRule } from "../../src/types.js";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import { makeEvent, makeRule } from "../helpers/make-rule.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const rule = { resolveOn: "Descarga exitosa: \\S*{video}", match: /x/ } as unknown as CompiledRule;

describe("compileResolveGate", () => {
  it("lets through every line an incident's own resolve_on matches, and refuses the rest", () => {
    const gate = compileResolveGate(rule);
    const videos = ["a.mp4", "b[1].mp4", "c.d.e.mp4", "ñandú (2).mp4"];
    for (const video of videos) {
      const own = compileResolveOn(rule, { video })!;
      const line = `2025-12-25 14:31:02,118 - bot - INFO - Descarga exitosa: modelos/ana/${video}`;
      expect(own.test(line)).toBe(true);
      expect(gate.test(line)).toBe(true);
    }
    expect(gate.test("2025-12-25 14:31:02,118 - bot - INFO - Descargando video modelos/ana/a.mp4")).toBe(false);
  });
});

describe("compileResolveOn", () => {
  it("gives a key that opens again its regex compiled before, answering as a new one would, under other flags apart", () => {
    const first = compileResolveOn(rule, { video: "again.mp4" })!;
    expect(first.test("Descarga exitosa: modelos/ana/again.mp4")).toBe(true);
    expect(compileResolveOn(rule, { video: "again.mp4" })).toBe(first);
    expect(compileResolveOn(rule, { video: "other.mp4" })).not.toBe(first);
    const caseless = { ...rule, match: /x/i } as unknown as CompiledRule;
    expect(compileResolveOn(caseless, { video: "again.mp4" })!.test("DESCARGA EXITOSA: AGAIN.MP4")).toBe(true);
    expect(first.test("DESCARGA EXITOSA: AGAIN.MP4")).toBe(false);
    // Thousands of other keys later, each still gets a regex of its own video.
    for (let i = 0; i < 3000; i++) {
      const own = compileResolveOn(rule, { video: `v${i}.mp4` })!;
      expect(own.test(`Descarga exitosa: modelos/ana/v${i}.mp4`)).toBe(true);
      expect(own.test(`Descarga exitosa: modelos/ana/v${i + 1}.mp4`)).toBe(false);
    }
    expect(compileResolveOn(rule, { video: "again.mp4" })!.test("Descarga exitosa: modelos/ana/again.mp4")).toBe(true);
  });
});

describe("resolve_on with many open incidents", () => {
  it("closes exactly the incident whose video the success line names, however the line ends", () => {
    const manager = new IncidentManager({ clock: new VirtualClock(1_000) });
    const timeout = makeRule({ id: "timeout", match: /TimedOut: (?<video>\S+\.mp4)/, resolveOn: "Descarga exitosa: \\S*{video}", actions: [{ type: "wait" }] });
    const videos = Array.from({ length: 500 }, (_, i) => `2025_${i}.mp4`);
    for (const v of videos) {
      const event = makeEvent(`TimedOut: ${v}`);
      manager.handleEvent(event, { rule: timeout, event, fields: { video: v }, key: `timeout:${v}` });
    }
    expect(manager.listOpen()).toHaveLength(500);
    const close = (text: string) => manager.handleEvent(makeEvent(text), null);
    close("Descarga exitosa: modelos/ana/2025_7.mp4 (18 MB)");
    close("Descarga exitosa: modelos/ana/2025_8.mp4.");
    close("Descarga exitosa: modelos/ana/2025_9.mp4:");
    close("Descarga exitosa: modelos/ana/x2025_10.mp4"); // another video whose name ends like this one's
    close("Descargando: modelos/ana/2025_11.mp4"); // not a success line
    const closed = videos.filter((v) => manager.getByKey(`timeout:${v}`)?.estado === "solucionado");
    expect(closed).toEqual(["2025_7.mp4", "2025_8.mp4", "2025_9.mp4"]);
  });
});
