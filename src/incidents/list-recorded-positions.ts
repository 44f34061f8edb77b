import { toTrackedIncident } from "./restore-from-journal.js";

/**
 * The positions recorded in journal elements: per incident, its file (`archivo`) and where the last event folded
 * into it ended (`posicion`). What lost checkpoints are rebuilt from.
 */
export function listRecordedPositions(elements: readonly unknown[]): Array<{ file: string; fileId: string; endOffset: number }> {
  const positions: Array<{ file: string; fileId: string; endOffset: number }> = [];
  for (const element of elements) {
    const incident = toTrackedIncident(element);
    if (!incident?.posicion || typeof incident.archivo !== "string") continue;
    positions.push({ file: incident.archivo, fileId: incident.posicion.fileId, endOffset: incident.posicion.endOffset });
  }
  return positions;
}
