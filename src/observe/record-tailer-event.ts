import type { TailerEvent } from "../sources/index.js";
import type { VigiaLogger } from "./logger.js";
import type { VigiaMetrics } from "./metrics.js";

/** One event of a file tailer, logged and counted: rotations and truncations at info/warn, the routine at verbose. */
export function recordTailerEvent(e: TailerEvent, metrics: VigiaMetrics, logger: VigiaLogger): void {
  const where = `${e.source} ${e.path}${e.detail ? `: ${e.detail}` : ""}`;
  switch (e.type) {
    case "rotated":
      metrics.tailerRotations.inc({ source: e.source });
      logger.info(`source rotated: ${where}`);
      break;
    case "truncated":
      metrics.tailerTruncations.inc({ source: e.source });
      logger.warn(`source truncated: ${where}`);
      break;
    case "line_truncated":
      metrics.truncatedLines.inc({ source: e.source });
      logger.warn(`line cut to max_line_bytes: ${where}`);
      break;
    case "error":
    case "unreadable":
      logger.warn(`source ${e.type}: ${where}`);
      break;
    default:
      logger.verbose(`source ${e.type}: ${where}`);
  }
}
