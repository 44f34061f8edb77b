import { ESTADOS, type Estado, type Incident } from "../types.js";
import type { IncidentChange } from "./incident-change.js";


/** Incidents counted by error_type × estado (the session summary's table). */
export interface IncidentCounts {
  total: number;
  /** `solucionado` */
  fixed: number;
  /** `fallido` */
  failed: number;
  /** Not yet terminal. */
  open: number;
  byType: Record<string, Record<Estado, number>>;
}

/** Changes between two prunes of incidents the manager no longer holds. */
const PRUNE_EVERY_CHANGES = 4096;

/**
 * Counts the incidents a session touched (opened, folded or moved) by error_type × estado, for the summary at stop,
 * without keeping every one of them: an incident is remembered only while the manager still holds it (open, or
 * closed within its cooldown), since only then can it change again; after that only its count remains. A session
 * of months keeps what is open or recent, however many incidents it saw.
 */
export class SessionTally {
  private readonly byType = new Map<string, Record<Estado, number>>();
  /** Incidents counted and still held by the manager: their latest state, by id. */
  private readonly current = new Map<string, Incident>();
  private total = 0;
  private changesSincePrune = 0;

  /** `isHeld(id)`: whether the manager may still emit a change for this incident. */
  constructor(private readonly isHeld: (id: string) => boolean) {}

  observe(change: IncidentChange): void {
    if (change.type !== "opened" && change.type !== "folded" && change.type !== "transition") return;
    const incident = change.incident;
    const known = this.current.get(incident.id);
    if (known) this.rowOf(known.error_type)[known.estado]--;
    else this.total++;
    this.rowOf(incident.error_type)[incident.estado]++;
    this.current.set(incident.id, incident);
    if (++this.changesSincePrune >= PRUNE_EVERY_CHANGES) this.prune();
  }

  /** Forgets incidents the manager let go of: their counts stay. */
  prune(): void {
    this.changesSincePrune = 0;
    for (const id of this.current.keys()) if (!this.isHeld(id)) this.current.delete(id);
  }

  /** The counts so far. */
  getCounts(): IncidentCounts {
    const byType: Record<string, Record<Estado, number>> = {};
    let fixed = 0;
    let failed = 0;
    for (const [type, row] of this.byType) {
      byType[type] = { ...row };
      fixed += row.solucionado;
      failed += row.fallido;
    }
    return { total: this.total, fixed, failed, open: this.total - fixed - failed, byType };
  }

  /** The session's incidents the manager still holds, in their latest state (every one of a short session). */
  listHeld(): Incident[] {
    this.prune();
    return [...this.current.values()];
  }

  /** Incidents remembered one by one (the bound: what the manager holds, plus changes since the last prune). */
  get size(): number {
    return this.current.size;
  }

  private rowOf(type: string): Record<Estado, number> {
    let row = this.byType.get(type);
    if (!row) this.byType.set(type, (row = Object.fromEntries(ESTADOS.map((e) => [e, 0])) as Record<Estado, number>));
    return row;
  }
}
