/**
 * Turns a stream of check results into the few edges worth an incident or an alert. Pure: the state goes in,
 * the next state and the edges come out; time is the results' own `atMs`.
 *
 * - `down`: `failureThreshold` consecutive failures (again when a down check's severity rises, e.g. a disk going
 *   from warning to critical: the engine folds it into the open incident).
 * - `up`: the first success after a reported `down`.
 * - `flapping`: more than `flap.count` up/down changes within `flap.withinMs`; from then on up/down edges are
 *   held, so an unstable service sends one "inestable" alert instead of a storm.
 * - `stable`: no change for a whole `flap.withinMs`; followed at once by `up` or `down` when the state differs
 *   from the last one announced, so the engine can close or open the incident it was holding.
 */
import type { CheckResult, Severity } from "../types.js";

type CheckStatus = "unknown" | "up" | "down";
export type CheckTransitionState = "down" | "up" | "flapping" | "stable";

/** "N changes within a window": more than `count` changes within `withinMs` is flapping. */
export interface FlapPolicy {
  count: number;
  withinMs: number;
}

export interface CheckState {
  /** What the results say now (after the failure threshold). */
  status: CheckStatus;
  /** The last status announced with an up/down edge; differs from `status` while flapping holds edges. */
  reportedStatus: CheckStatus;
  /** Severity announced with the last `down`. */
  reportedSeverity: Severity | null;
  consecutiveFailures: number;
  /** Times of status changes still inside the flap window, oldest first. */
  changesMs: number[];
  flapping: boolean;
}

export interface CheckStatePolicy {
  failureThreshold: number;
  /** null = no flap detection. */
  flap: FlapPolicy | null;
}

/** The state of a check that has not run yet. */
export function createCheckState(): CheckState {
  return { status: "unknown", reportedStatus: "unknown", reportedSeverity: null, consecutiveFailures: 0, changesMs: [], flapping: false };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Folds one result into the state; returns the new state and the edges it produced, in order. */
export function advanceCheckState(
  state: CheckState,
  result: CheckResult,
  policy: CheckStatePolicy,
): { state: CheckState; transitions: CheckTransitionState[] } {
  const consecutiveFailures = result.ok ? 0 : state.consecutiveFailures + 1;
  let status = state.status;
  if (result.ok) status = "up";
  else if (consecutiveFailures >= Math.max(1, policy.failureThreshold)) status = "down";

  // Starting up healthy is not a change; starting down is (it opens an incident).
  const changed = status !== state.status && !(state.status === "unknown" && status === "up");
  const windowStartMs = policy.flap ? result.atMs - policy.flap.withinMs : Infinity;
  const changesMs = [...state.changesMs, ...(changed ? [result.atMs] : [])].filter((t) => t > windowStartMs);

  const transitions: CheckTransitionState[] = [];
  let flapping = state.flapping;
  if (!flapping && policy.flap && changesMs.length > policy.flap.count) {
    flapping = true;
    transitions.push("flapping");
  } else if (flapping && changesMs.length === 0) {
    flapping = false;
    transitions.push("stable");
  }

  let { reportedStatus, reportedSeverity } = state;
  if (!flapping) {
    if (status === "down") {
      const rises = reportedSeverity !== null && SEVERITY_RANK[result.severity] > SEVERITY_RANK[reportedSeverity];
      if (reportedStatus !== "down" || rises) {
        transitions.push("down");
        reportedStatus = "down";
        reportedSeverity = result.severity;
      }
    } else if (status === "up") {
      if (reportedStatus === "down") transitions.push("up");
      reportedStatus = "up";
      reportedSeverity = null;
    }
  }

  return { state: { status, reportedStatus, reportedSeverity, consecutiveFailures, changesMs, flapping }, transitions };
}
