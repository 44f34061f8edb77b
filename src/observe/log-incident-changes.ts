import type { Observable, Subscription } from "rxjs";
import type { IncidentChange } from "../incidents/incident-change.js";
import type { VigiaLogger } from "./logger.js";

/** `fuente` of the incidents that checks (and vigia's own faults) open: `check:http`, `check:vigia`. */
const CHECK_SOURCE_PREFIX = "check:";

/** Longest excerpt of an incident's message in the log line that announces it. */
const MAX_EXCERPT_CHARS = 200;

/**
 * Writes the incident stream to vigia's log: an opening at warn with the message's last line, final states at
 * info (solucionado) or error (fallido) with the step's reason (a refused path, a failed verification: the journal
 * is not the only place an admin reads what happened), the steps in between and threshold counts at verbose. States
 * are named by their journal identifiers; every other word is English.
 */
export function logIncidentChanges(changes$: Observable<IncidentChange>, logger: VigiaLogger): Subscription {
  return changes$.subscribe((change) => {
    switch (change.type) {
      case "warning":
        logger.warn(`incidents: ${change.message}`);
        break;
      case "counted":
        if (!logger.isLevelEnabled("verbose")) break;
        logger.verbose(`${change.rule.id}: ${change.count}/${change.needed} matches of ${change.key} (below threshold)`);
        break;
      case "opened": {
        const inc = change.incident;
        // A log incident quotes the line that opened it. A check's text is the admin's Spanish; its English reason
        // is on the `check …: down` line just above.
        const quote = inc.fuente.startsWith(CHECK_SOURCE_PREFIX) ? "" : `: ${excerptLastLine(inc.error_message)}`;
        logger.warn(`incident ${inc.id} ${inc.error_type} detectado (${inc.fuente})${quote}`);
        break;
      }
      case "transition": {
        // The journal's `accion` and `detalle` are the admin's Spanish: the step is told by its English message.
        const inc = change.incident;
        const level = inc.estado === "fallido" ? "error" : inc.estado === "solucionado" ? "info" : "verbose";
        if (!logger.isLevelEnabled(level)) break; // most steps, at the daemon's usual levels: no line built
        logger.log(level, `incident ${inc.id} ${inc.error_type} → ${inc.estado}${change.message ? `: ${change.message}` : ""}`);
        break;
      }
      default:
        break;
    }
  });
}

/** The last non-blank line of a message (a traceback's exception line), cut to MAX_EXCERPT_CHARS. */
function excerptLastLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const line = lines[lines.length - 1] ?? "";
  return line.length > MAX_EXCERPT_CHARS ? `${line.slice(0, MAX_EXCERPT_CHARS - 3)}...` : line;
}
