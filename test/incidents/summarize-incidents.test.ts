import { describe, expect, it } from "@jest/globals";
import { formatOptionalDurationMs, formatSummaryTable, summarizeIncidents } from "../../src/incidents/summarize-incidents.js";
import { createIncident } from "../../src/incidents/create-incident.js";
import { applyTransition } from "../../src/incidents/incident-state.js";
import type { Estado, Incident } from "../../src/types.js";
import { makeMatch, makeRule } from "../helpers/make-rule.js";

const T0 = Date.parse("2025-12-25T14:30:20.000+01:00");

function makeClosed(type: string, estado: Estado, durationMs: number, key: string, ocurrencias = 1): Incident {
  const base = createIncident(makeMatch(makeRule({ id: type }), { key }), { nowMs: T0, id: `${type}-${key}-${durationMs}`, defaultMaxIntentos: 3 });
  const inc = { ...base, ocurrencias };
  return estado === "detectado" ? inc : applyTransition(inc, estado, {}, T0 + durationMs);
}

describe("summarizeIncidents", () => {
  const journal: unknown[] = [
    makeClosed("ruta_inexistente", "solucionado", 1000, "a", 3),
    makeClosed("ruta_inexistente", "solucionado", 3000, "b"),
    makeClosed("ruta_inexistente", "fallido", 9000, "c"),
    makeClosed("permisos", "solucionado", 8000, "d", 10),
    makeClosed("disco_lleno", "fallido", 0, "e"),
    makeClosed("timeout", "pendiente", 0, "f"),
    makeClosed("timeout", "detectado", 0, "g"),
    { timestamp: "2025-12-20T10:00:00", error_type: "x" }, // not an incident: no estado
  ];

  it("counts by error_type × estado and measures time to fix", () => {
    const s = summarizeIncidents(journal);
    expect(s.total).toBe(7);
    expect(s.skipped).toBe(1);
    expect(s.byType).toEqual({
      ruta_inexistente: { detectado: 0, pendiente: 0, reintentando: 0, solucionado: 2, fallido: 1 },
      permisos: { detectado: 0, pendiente: 0, reintentando: 0, solucionado: 1, fallido: 0 },
      disco_lleno: { detectado: 0, pendiente: 0, reintentando: 0, solucionado: 0, fallido: 1 },
      timeout: { detectado: 1, pendiente: 1, reintentando: 0, solucionado: 0, fallido: 0 },
    });
    expect([s.fixed, s.failed, s.open]).toEqual([3, 2, 2]);
    expect(s.successRate).toBeCloseTo(3 / 5);
    expect(s.meanTimeToFixMs).toBe(4000); // (1000 + 3000 + 8000) / 3
    expect(s.medianTimeToFixMs).toBe(3000);
    expect(s.occurrences).toBe(18); // 3 + 1 + 1 + 10 + 1 + 1 + 1
    expect(s.topKeys[0]).toEqual({ key: "permisos:key=d", errorType: "permisos", incidents: 1, occurrences: 10 });
  });

  it("handles an empty journal", () => {
    const s = summarizeIncidents([]);
    expect([s.total, s.successRate, s.meanTimeToFixMs, s.medianTimeToFixMs]).toEqual([0, null, null, null]);
    expect(formatSummaryTable(s)).toContain("éxito: -");
  });

  it("prints an aligned table with totals", () => {
    const table = formatSummaryTable(summarizeIncidents(journal));
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^error_type\s+detectado\s+pendiente\s+reintentando\s+solucionado\s+fallido\s+total$/);
    expect(lines.find((l) => l.startsWith("ruta_inexistente"))).toMatch(/ruta_inexistente\s+0\s+0\s+0\s+2\s+1\s+3$/);
    expect(lines.find((l) => l.startsWith("total"))).toMatch(/^total\s+1\s+1\s+0\s+3\s+2\s+7$/);
    // Every table row has the same width.
    const rows = lines.slice(0, lines.indexOf(""));
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    expect(table).toContain("éxito: 60.0 %");
    expect(table).toContain("media 4 s, mediana 3 s");
  });

  it("shows a mean or median that does not exist as -", () => {
    expect([formatOptionalDurationMs(12_300), formatOptionalDurationMs(null)]).toEqual(["12 s", "-"]);
  });
});
