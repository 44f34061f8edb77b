import { describe, expect, it } from "@jest/globals";
import {
  ALLOWED_TRANSITIONS,
  InvalidTransitionError,
  applyTransition,
  canTransition,
  isTerminal,
} from "../../src/incidents/incident-state.js";
import { createIncident } from "../../src/incidents/create-incident.js";
import type { Estado, Incident } from "../../src/types.js";
import { makeMatch, makeRule } from "../helpers/make-rule.js";

const ESTADOS: Estado[] = ["detectado", "pendiente", "reintentando", "solucionado", "fallido"];
const DETECTED_MS = Date.parse("2025-12-25T14:30:20.000Z");

const ALLOWED: Array<[Estado, Estado]> = [
  ["detectado", "pendiente"],
  ["detectado", "reintentando"],
  ["detectado", "solucionado"],
  ["detectado", "fallido"],
  ["pendiente", "reintentando"],
  ["pendiente", "solucionado"],
  ["pendiente", "fallido"],
  ["reintentando", "reintentando"],
  ["reintentando", "pendiente"],
  ["reintentando", "solucionado"],
  ["reintentando", "fallido"],
];

function incidentIn(estado: Estado): Incident {
  const base = createIncident(makeMatch(makeRule({ id: "ruta_inexistente" }), { path: "modelos/ana" }), {
    nowMs: DETECTED_MS,
    id: "20251225-143020-ruta_inexistente-abcdef",
    defaultMaxIntentos: 3,
  });
  return { ...base, estado };
}

describe("incident state machine", () => {
  const forbidden = ESTADOS.flatMap((from) => ESTADOS.map((to): [Estado, Estado] => [from, to])).filter(
    ([from, to]) => !ALLOWED.some(([f, t]) => f === from && t === to),
  );

  it("allows exactly the documented transitions", () => {
    const table = ESTADOS.flatMap((from) => ALLOWED_TRANSITIONS[from].map((to) => [from, to]));
    expect(table.sort()).toEqual([...ALLOWED].sort());
    expect(forbidden).toHaveLength(25 - ALLOWED.length);
  });

  it.each(ALLOWED)("%s → %s is applied and recorded", (from, to) => {
    const before = incidentIn(from);
    const frozen = JSON.stringify(before);
    const after = applyTransition(before, to, { accion: "reintento 2/3", intento: 2, detalle: "exit 1" }, DETECTED_MS + 1500);
    expect(JSON.stringify(before)).toBe(frozen); // immutable update
    expect(after.estado).toBe(to);
    expect(after.accion).toBe("reintento 2/3");
    expect(after.intento).toBe(2);
    expect(after.transiciones).toHaveLength(before.transiciones.length + 1);
    const last = after.transiciones[after.transiciones.length - 1]!;
    expect(last).toMatchObject({ estado: to, accion: "reintento 2/3", intento: 2, detalle: "exit 1" });
    expect(Date.parse(last.timestamp)).toBe(DETECTED_MS + 1500);
    if (isTerminal(to)) {
      expect(after.resuelto).toBe(last.timestamp);
      expect(after.duracion_ms).toBe(1500);
    } else {
      expect(after.resuelto).toBeNull();
      expect(after.duracion_ms).toBeNull();
    }
  });

  it.each(forbidden)("%s → %s is refused with a typed error", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let error: unknown;
    try {
      applyTransition(incidentIn(from), to, {}, DETECTED_MS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ from, to, incidentId: "20251225-143020-ruta_inexistente-abcdef" });
  });

  it("keeps accion and intento when a transition does not set them", () => {
    const trying = applyTransition(incidentIn("detectado"), "reintentando", { accion: "mkdir -p modelos/ana", intento: 1 }, DETECTED_MS + 10);
    const done = applyTransition(trying, "solucionado", { detalle: "path_exists ok" }, DETECTED_MS + 20);
    expect(done.accion).toBe("mkdir -p modelos/ana");
    expect(done.intento).toBe(1);
    expect(done.transiciones.map((t) => [t.estado, t.accion, t.intento])).toEqual([
      ["detectado", null, 0],
      ["reintentando", "mkdir -p modelos/ana", 1],
      ["solucionado", null, 1],
    ]);
  });

  it("leaves duracion_ms null for a legacy incident without a readable timestamp", () => {
    const legacy = { ...incidentIn("detectado"), timestamp: "ayer" };
    expect(applyTransition(legacy, "fallido", {}, DETECTED_MS).duracion_ms).toBeNull();
  });
});
