import { describe, expect, it } from "@jest/globals";
import { capText, createIncident, createIncidentId } from "../../src/incidents/create-incident.js";
import { cacheOffsetByMinute, formatCompactLocal, formatLocalIso } from "../../src/incidents/format-local-iso.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";

const MS = Date.parse("2025-12-25T13:30:20.123Z");

describe("formatLocalIso", () => {
  it("prints local wall time with its offset, never Z", () => {
    expect(formatLocalIso(MS, 60)).toBe("2025-12-25T14:30:20.123+01:00");
    expect(formatLocalIso(MS, -330)).toBe("2025-12-25T08:00:20.123-05:30");
    expect(formatLocalIso(MS, 0)).toBe("2025-12-25T13:30:20.123+00:00");
  });

  it("round-trips through Date.parse in the process's own zone", () => {
    const s = formatLocalIso(MS);
    expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    expect(Date.parse(s)).toBe(MS);
  });

  it("gives compact local stamps for ids and file names", () => {
    expect(formatCompactLocal(MS, 60)).toBe("20251225-143020");
  });

  it("gives each instant its own digits and offset, also within one second and across a daylight-saving change", () => {
    // Within one second, other milliseconds and other offsets.
    expect(formatLocalIso(MS + 1, 60)).toBe("2025-12-25T14:30:20.124+01:00");
    expect(formatLocalIso(MS + 876, -330)).toBe("2025-12-25T08:00:20.999-05:30");
    expect(formatLocalIso(MS - 123, 60)).toBe("2025-12-25T14:30:20.000+01:00");
    expect(formatLocalIso(MS + 877, 60)).toBe("2025-12-25T14:30:21.000+01:00");
    expect(Date.parse(formatLocalIso(MS + 5))).toBe(MS + 5);
  });

  it("asks the zone's offset once per minute, and at each instant in a minute where it changes", () => {
    // A zone whose offset changes at an odd instant (as Africa/Monrovia's did, at 00:44:30 UTC), then on a minute.
    const oddChange = Date.parse("2025-01-07T00:44:30Z");
    const minuteChange = Date.parse("2025-03-30T01:00:00Z");
    const offsetAt = (ms: number): number => (ms < oddChange ? -44.5 : ms < minuteChange ? 0 : 60);
    let asked = 0;
    const cached = cacheOffsetByMinute((ms) => (asked++, offsetAt(ms)));
    for (let ms = oddChange - 120_000; ms <= oddChange + 120_000; ms += 500) expect(cached(ms)).toBe(offsetAt(ms));
    for (let ms = minuteChange - 120_000; ms <= minuteChange + 120_000; ms += 500) expect(cached(ms)).toBe(offsetAt(ms));
    expect(cached(minuteChange - 1)).toBe(0);
    expect(cached(minuteChange)).toBe(60);
    // Two look-ups per minute entered (5 + 5 in the loops, 2 after them), one more per instant of the minute with the
    // odd change (120 at 500 ms steps): not one per call (about 970).
    expect(asked).toBe(2 * 12 + 120);
  });
});

describe("createIncident", () => {
  it("fills the journal contract from a match", () => {
    const rule = makeRule({ id: "ruta_inexistente", severity: "critical", retries: 5 });
    const event = makeEvent("FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/x.mp4'", { offset: 100 });
    const match = makeMatch(rule, { path: "modelos/ana/x.mp4", modelo: "ana", video: "x.mp4" }, event);
    const incident = createIncident(match, { nowMs: MS, id: "id-1", defaultMaxIntentos: 3 });
    expect(Object.keys(incident).slice(0, 9)).toEqual([
      "timestamp", "modelo", "video", "error_type", "error_message", "accion", "estado", "intento", "max_intentos",
    ]);
    expect(incident).toMatchObject({
      modelo: "ana",
      video: "x.mp4",
      error_type: "ruta_inexistente",
      error_message: event.text,
      accion: null,
      estado: "detectado",
      intento: 0,
      max_intentos: 5,
      id: "id-1",
      fuente: "bot",
      archivo: "logs/bot_central.log",
      severidad: "critical",
      campos: { path: "modelos/ana/x.mp4", modelo: "ana", video: "x.mp4" },
      ocurrencias: 1,
      clave: match.key,
      resuelto: null,
      duracion_ms: null,
      posicion: { fileId: event.fileId, endOffset: event.endOffset },
    });
    expect(Date.parse(incident.timestamp)).toBe(MS);
    expect(incident.ultima_ocurrencia).toBe(incident.timestamp);
    expect(incident.transiciones).toEqual([{ estado: "detectado", timestamp: incident.timestamp, accion: null, intento: 0, detalle: null }]);
  });

  it("uses null for absent modelo/video, the default max_intentos, and no position for non-file events", () => {
    const event = { ...makeEvent("disk full"), offset: -1, endOffset: -1 };
    const incident = createIncident(makeMatch(makeRule({ id: "disco_lleno" }), {}, event), { nowMs: MS, id: "x", defaultMaxIntentos: 4 });
    expect([incident.modelo, incident.video, incident.max_intentos, incident.posicion]).toEqual([null, null, 4, null]);
  });

  it("caps error_message on a character boundary", () => {
    const long = "é".repeat(10_000); // 20 000 bytes
    const capped = capText(long, 8192);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(8192);
    expect(capped).toMatch(/^é+ …\[\+\d+ bytes\]$/);
    expect(capText("short", 8)).toBe("short");
    const incident = createIncident(makeMatch(makeRule({ id: "x" }), {}, makeEvent(long)), { nowMs: MS, id: "x", defaultMaxIntentos: 3, maxMessageBytes: 100 });
    expect(Buffer.byteLength(incident.error_message)).toBeLessThanOrEqual(100);
  });

  it("builds sortable ids that differ between calls", () => {
    const a = createIncidentId("ruta_inexistente", MS);
    const b = createIncidentId("ruta_inexistente", MS);
    expect(a).toMatch(/^\d{8}-\d{6}-ruta_inexistente-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    // A rule id never puts a path separator or a dot into an id (ids end up in file names and URLs).
    expect(createIncidentId("a b/../c", MS)).toMatch(/^\d{8}-\d{6}-a_b____c-[0-9a-f]{6}$/);
  });
});
