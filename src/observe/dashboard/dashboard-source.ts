import type { Observable } from "rxjs";
import type { UnknownTemplate } from "../../discover/unknown-error-store.js";
import type { Incident } from "../../types.js";
import type { CheckRecord } from "../check-history.js";
import type { HealthReport } from "../health-report.js";

/**
 * What the dashboard reads from a running engine. Read-only by construction: nothing here changes state, so
 * nothing on the page can.
 */
export interface DashboardSource {
  getHealth(): HealthReport;
  listOpenIncidents(): readonly Incident[];
  /** The journal's elements (open and recent closed incidents, earlier runs included). */
  listJournal(): readonly unknown[];
  /** Rule ids in force, in match order. */
  listRuleIds(): readonly string[];
  /** Matches per rule id since start. */
  getRuleHits(): Promise<Readonly<Record<string, number>>>;
  /** Stored check runs at or after `fromMs`, oldest first. */
  listCheckRuns(fromMs: number): readonly CheckRecord[];
  /** Error templates no rule claims (`desconocidos.json`). */
  listUnknownTemplates(): readonly UnknownTemplate[];
  /** The latest notification that could not be delivered. */
  getNotifierFailure(): { atMs: number; message: string } | null;
  /** Emits whenever something shown may have changed (incident changes, check runs, rule reloads, unclaimed errors). */
  changes$: Observable<unknown>;
  /** Masks configured secrets and token-shaped strings in any text shown. */
  redactText(text: string): string;
}
