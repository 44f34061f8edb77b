import type { CompiledRule, Incident, NotifyPolicy } from "../types.js";

/** The policy that applies to an incident: critical incidents are always notified, whatever the rule says. */
export function resolveNotifyPolicy(incident: Incident, rule: CompiledRule): NotifyPolicy {
  if (incident.severidad === "critical" || rule.severity === "critical") return "always";
  return rule.notify;
}

/**
 * Whether an incident that has no message yet deserves one in its current state:
 * `never` → no; `on_failure` → once it is `fallido`; `always` → in every state (detected, retrying, fixed, failed).
 * Incidents that already have a message are kept current by editing it, whatever their policy.
 */
export function shouldOpenAlert(policy: NotifyPolicy, incident: Incident): boolean {
  if (policy === "never") return false;
  if (policy === "on_failure") return incident.estado === "fallido";
  return true;
}
