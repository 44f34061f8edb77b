import type { MatchedBatch } from "../types.js";

/**
 * A verdict about an incident key from outside the log (a periodic check, a supervised process, a fault of vigia
 * itself): close its open incident, or note a step taken about it. A failure such a source reports opens an incident
 * like a log line does, as a MatchedBatch of one event.
 */
export type IncidentCommand =
  | {
      type: "close";
      key: string;
      estado: "solucionado" | "fallido";
      accion: string;
      detalle: string;
      /** The verdict in English, for vigia's log (`accion` and `detalle` are the journal's Spanish). */
      message: string;
      /** Only an incident a log line opened: one a check opened is closed by the check's own recovery edge. */
      onlyIfLogOpened?: boolean;
    }
  | { type: "note"; key: string; accion: string; detalle: string | null; message: string };

/** What the incident manager folds: matched log events, and the verdicts of the periodic checks. */
export type IncidentInput = MatchedBatch | IncidentCommand;
