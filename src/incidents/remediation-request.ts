import type { CompiledRule, RuleMatch } from "../types.js";
import type { TrackedIncident } from "./create-incident.js";

/**
 * The contract between the incident manager and the remediation executor: what the manager asks (as `remediate` and
 * `reverify` changes on its stream), and how the executor answers (steps through `IncidentManager.transition()`,
 * verdicts through `settle()`).
 */

/** Why an incident goes to the executor. */
export type RemediationReason = "new" | "released" | "resumed" | "reopened";

/** A request to remediate one incident; the executor records its steps with `manager.transition()`. */
export interface RemediationRequest {
  /** Snapshot at delivery; `intento` is the attempt to resume from after a restart. */
  incident: TrackedIncident;
  rule: CompiledRule;
  /** Aborts when the incident reaches a final state by any other means (resolve_on, root cause) or at shutdown. */
  signal: AbortSignal;
  reason: RemediationReason;
}

/** A repeat folded into a `solucionado` incident during its cooldown: does the fix still hold? */
export interface ReverifyRequest {
  incident: TrackedIncident;
  rule: CompiledRule;
  /** The repeat. */
  match: RuleMatch;
  /** The executor's verdict. `false` reopens the key as a new incident (bounded by max_reopen); called once. */
  settle(stillFixed: boolean): ReopenResult | null;
}

/** The outcome of a reopen: the new incident, or why none was opened. */
export type ReopenResult =
  | { ok: true; incident: TrackedIncident }
  | { ok: false; reason: "unknown_key" | "still_open" | "cooldown_over" | "limit" };

/** Why a signal aborted: `signal.reason` is one of these. */
export class RemediationAbort extends Error {
  constructor(
    readonly incidentId: string,
    readonly kind: "resolve_on" | "closed" | "root_cause" | "shutdown",
  ) {
    // An abort reason, thrown by nothing: its stack would say only where the incident closed, and capturing one per
    // resolved incident costs more than the rest of closing it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`remediation of ${incidentId} cancelled: ${kind}`);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = "RemediationAbort";
  }
}
