import { describe, expect, it } from "@jest/globals";
import { countIncidents, formatSessionSummary } from "../../src/notify/session-summary.js";
import { advance, makeIncident } from "../helpers/make-incident.js";

describe("session summary", () => {
  const incidents = [
    advance(makeIncident({ error_type: "timeout" }), "solucionado"),
    advance(makeIncident({ error_type: "timeout" }), "solucionado"),
    advance(makeIncident({ error_type: "timeout" }), "fallido"),
    advance(makeIncident({ error_type: "permisos" }), "reintentando"),
    advance(makeIncident({ error_type: "permisos" }), "solucionado"),
  ];

  it("counts by error_type × estado", () => {
    const c = countIncidents(incidents);
    expect(c).toMatchObject({ total: 5, fixed: 3, failed: 1, open: 1 });
    expect(c.byType.timeout).toEqual({ detectado: 0, pendiente: 0, reintentando: 0, solucionado: 2, fallido: 1 });
    expect(c.byType.permisos).toEqual({ detectado: 0, pendiente: 0, reintentando: 1, solucionado: 1, fallido: 0 });
  });

  it("formats text for the console and HTML for Telegram", () => {
    const s = formatSessionSummary({ incidents, startedAtMs: 1_000, endedAtMs: 1_000 + 3_725_000 });
    expect(s.text).toBe(
      [
        "vigia: resumen de la sesión (1 h 2 min)",
        "incidentes: 5 · solucionados: 3 · fallidos: 1 · en curso: 1 (75 % resueltos solos)",
        "",
        "error_type  detectado  pendiente  reintentando  solucionado  fallido",
        "timeout             0          0             0            2        1",
        "permisos            0          0             1            1        0",
      ].join("\n"),
    );
    expect(s.html.split("\n").slice(0, 2)).toEqual([
      "📊 <b>vigia: resumen de la sesión (1 h 2 min)</b>",
      "✅ 3 solucionados · ❌ 1 fallidos · ⏳ 1 en curso · total 5 (75 % resueltos solos)",
    ]);
    expect(s.html).toContain("<pre>error_type  detectado");
    expect(s.durationMs).toBe(3_725_000);
  });

  it("says there was nothing when the session had no incidents", () => {
    const s = formatSessionSummary({ incidents: [], startedAtMs: 0, endedAtMs: 42_000 });
    expect(s.text).toBe("vigia: resumen de la sesión (42 s)\nincidentes: 0 · solucionados: 0 · fallidos: 0 · en curso: 0");
    expect(s.html).not.toContain("<pre>");
  });

  it("stays under 4096 characters with many error types", () => {
    const many = Array.from({ length: 500 }, (_, i) => makeIncident({ error_type: `regla_${i}_${"x".repeat(40)}` }));
    expect(formatSessionSummary({ incidents: many, startedAtMs: 0, endedAtMs: 1 }).html.length).toBeLessThanOrEqual(4096);
  });
});
