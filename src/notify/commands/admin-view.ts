import type { UnknownTemplate } from "../../discover/unknown-error-store.js";
import type { TrackedIncident } from "../../incidents/create-incident.js";
import type { RetryResult } from "../../incidents/incident-manager.js";
import type { HealthReport } from "../../observe/health-report.js";
import type { CompiledRule } from "../../types.js";
import type { SilenceStore } from "./silence-store.js";

/**
 * What the admin's commands read and do, and nothing more: the running vigia's state (health, incidents, journal,
 * unforeseen errors), its silences, and a retry through the incident flow (so the executor, its path guard and
 * dry-run apply as to any incident).
 */
export interface AdminView {
  getHealth(): HealthReport;
  /** Incidents not yet in a final state. */
  listOpenIncidents(): readonly TrackedIncident[];
  /** An incident the manager holds (open or in its cooldown), else null. */
  getTrackedIncident(id: string): TrackedIncident | null;
  /** Elements of the live journal file. */
  listJournal(): readonly unknown[];
  journalPath: string;
  /** The rule in force with this id, if loaded. */
  findRule(id: string): CompiledRule | null;
  /** Opens a new incident for a closed one's key, remediated like any other. */
  retryIncident(incident: TrackedIncident, rule: CompiledRule, detalle: string): RetryResult;
  /** Unclaimed error templates, most frequent first. */
  listUnknownTemplates(): readonly UnknownTemplate[];
  silences: SilenceStore;
  /** Remediation runs nothing (`--dry-run` or `remediation.dry_run`). */
  dryRun: boolean;
}
