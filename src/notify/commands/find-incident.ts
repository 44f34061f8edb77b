import type { TrackedIncident } from "../../incidents/create-incident.js";
import { toTrackedIncident } from "../../incidents/restore-from-journal.js";
import type { AdminView } from "./admin-view.js";

/** The incident an admin names: its full id, or the end of it when only one incident ends so (`a3f2b1`). */
export type FoundIncident = { ok: true; incident: TrackedIncident } | { ok: false; reason: "none" | "ambiguous"; candidates: string[] };

/** Shortest id ending accepted, so `/incidente 1` does not pick a random incident. */
const MIN_SUFFIX_CHARS = 4;

/** Looks an id up in the manager first (newest state), then in the journal file. */
export function findIncident(view: AdminView, wanted: string): FoundIncident {
  const exact = view.getTrackedIncident(wanted);
  if (exact) return { ok: true, incident: exact };
  const byId = new Map<string, TrackedIncident>();
  for (const raw of view.listJournal()) {
    const incident = toTrackedIncident(raw);
    if (incident) byId.set(incident.id, incident);
  }
  for (const incident of view.listOpenIncidents()) byId.set(incident.id, incident);
  const journaled = byId.get(wanted);
  if (journaled) return { ok: true, incident: view.getTrackedIncident(journaled.id) ?? journaled };
  if (wanted.length < MIN_SUFFIX_CHARS) return { ok: false, reason: "none", candidates: [] };
  const matches = [...byId.values()].filter((i) => i.id.endsWith(wanted));
  if (matches.length === 1) return { ok: true, incident: view.getTrackedIncident(matches[0]!.id) ?? matches[0]! };
  return { ok: false, reason: matches.length === 0 ? "none" : "ambiguous", candidates: matches.map((i) => i.id) };
}
