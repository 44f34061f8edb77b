import { describe, expect, it } from "@jest/globals";
import {
  advanceCheckState,
  createCheckState,
  type CheckState,
  type CheckStatePolicy,
  type CheckTransitionState,
} from "../../src/checks/check-state.js";
import type { CheckResult, Severity } from "../../src/types.js";

function result(ok: boolean, atMs: number, severity: Severity = ok ? "info" : "critical"): CheckResult {
  return { check: "http:backend", kind: "http", ok, severity, errorType: "servicio_caido", message: ok ? "ok" : "refused", motivo: ok ? "ok" : "conexión rechazada", durationMs: 1, fields: {}, atMs };
}

/** Feeds results `"ok"/"fail"` one per `stepMs`, returning the edges per step. */
function feed(policy: CheckStatePolicy, outcomes: string, stepMs = 30_000): { edges: CheckTransitionState[][]; state: CheckState } {
  let state = createCheckState();
  const edges: CheckTransitionState[][] = [];
  [...outcomes].forEach((c, i) => {
    const next = advanceCheckState(state, result(c === "+", i * stepMs), policy);
    state = next.state;
    edges.push(next.transitions);
  });
  return { edges, state };
}

const noFlap: CheckStatePolicy = { failureThreshold: 2, flap: null };

describe("check state", () => {
  it("starting healthy is not an edge; threshold failures are one down; the first success is up", () => {
    const { edges } = feed(noFlap, "++-+--+");
    expect(edges).toEqual([[], [], [], [], [], ["down"], ["up"]]);
  });

  it("starting down opens at once after the threshold", () => {
    expect(feed({ failureThreshold: 3, flap: null }, "---").edges).toEqual([[], [], ["down"]]);
  });

  it("repeats down only when severity rises", () => {
    let state = createCheckState();
    const policy = { failureThreshold: 1, flap: null };
    const steps: Array<[boolean, Severity]> = [[false, "warning"], [false, "warning"], [false, "critical"], [false, "warning"], [false, "critical"]];
    const edges = steps.map(([ok, sev], i) => {
      const next = advanceCheckState(state, result(ok, i * 1000, sev), policy);
      state = next.state;
      return next.transitions;
    });
    expect(edges).toEqual([["down"], [], ["down"], [], []]);
  });

  it("sends one flapping notice, holds edges, then on stability says stable and the real state", () => {
    const policy: CheckStatePolicy = { failureThreshold: 1, flap: { count: 3, withinMs: 300_000 } };
    //   steps 0..5 alternate: down, up, down (3 changes), up (4th change > 3) → flapping
    const { edges, state } = feed(policy, "-+-+-+-" + "-".repeat(11));
    expect(edges.slice(0, 7)).toEqual([["down"], ["up"], ["down"], ["flapping"], [], [], []]);
    expect(state.flapping).toBe(false);
    // The last change happened at step 6 (t=180 s); 300 s later (step 16, t=480 s) the window is empty.
    const stableAt = edges.findIndex((e) => e.includes("stable"));
    expect(stableAt).toBe(16);
    // The engine last heard "down" (step 2); the check is down now, so stable needs no further edge.
    expect(edges[stableAt]).toEqual(["stable"]);
  });

  it("after flapping, a state that differs from the last announced one is announced with stable", () => {
    const policy: CheckStatePolicy = { failureThreshold: 1, flap: { count: 3, withinMs: 300_000 } };
    const { edges } = feed(policy, "-+-+" + "+".repeat(12));
    expect(edges[3]).toEqual(["flapping"]);
    const stableAt = edges.findIndex((e) => e.includes("stable"));
    expect(edges[stableAt]).toEqual(["stable", "up"]); // last announced was down; it is up now
  });

  it("slow changes never count as flapping", () => {
    const policy: CheckStatePolicy = { failureThreshold: 1, flap: { count: 3, withinMs: 60_000 } };
    const { edges } = feed(policy, "-+-+-+-+", 60_000);
    expect(edges.flat()).not.toContain("flapping");
    expect(edges.flat().filter((e) => e === "down")).toHaveLength(4);
  });
});
