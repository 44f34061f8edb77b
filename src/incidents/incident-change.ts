import type { CompiledRule, Estado, RuleMatch } from "../types.js";
import type { TrackedIncident } from "./create-incident.js";
import type { RemediationRequest, ReverifyRequest } from "./remediation-request.js";

/** Everything the journal writer, notifier, metrics and the executor need to hear, one union. */
export type IncidentChange =
  | { type: "opened"; incident: TrackedIncident; rule: CompiledRule; reason: "new" | "reopened" | "retried" }
  | { type: "folded"; incident: TrackedIncident; rule: CompiledRule; match: RuleMatch }
  | {
      type: "transition";
      incident: TrackedIncident;
      rule: CompiledRule;
      previous: Estado;
      /** Set when a root cause's failure closed this incident: the notifier groups these in one alert. */
      rootCause: TrackedIncident | null;
      /** The step in English for vigia's log (see TransitionInfo.message); null when the state says it all. */
      message: string | null;
    }
  | { type: "counted"; rule: CompiledRule; key: string; count: number; needed: number; match: RuleMatch }
  | { type: "skipped"; rule: CompiledRule; key: string; match: RuleMatch; reason: "replay" }
  | { type: "warning"; message: string; incident: TrackedIncident | null }
  /** An incident for the executor: its steps come back through `IncidentManager.transition()`. */
  | { type: "remediate"; request: RemediationRequest }
  /** A repeat of a `solucionado` incident: the executor answers with the rule's verify through `settle()`. */
  | { type: "reverify"; request: ReverifyRequest };

export interface IncidentCounters {
  matches: number;
  opened: number;
  folded: number;
  belowThreshold: number;
  replaySkipped: number;
  resolvedByEvent: number;
  reopened: number;
}
