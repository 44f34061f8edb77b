/**
 * `silence` check: a hung bot writes no errors at all, so the absence of lines is the symptom. A source quiet
 * for longer than `max_quiet` while its process is alive is `log_silencioso`; the next line closes it at once
 * (the check asks the scheduler for an immediate run instead of waiting for the next cycle).
 */
import type { Severity } from "../types.js";
import type { Check, CheckProbe } from "./check.js";
import { systemClock, type Clock } from "../util/clock.js";
import type { LineActivity } from "./line-activity.js";
import { formatDurationMs } from "../util/format-duration-ms.js";

export interface SilenceCheckSpec {
  /** Source name from the config; the check id is `silence:<source>`. */
  source: string;
  maxQuietMs: number;
  activity: LineActivity;
  /**
   * Whether the source's process runs; false = silence is expected (the process check reports the real problem).
   * null/undefined = unknown, treated as alive. Default: always unknown.
   */
  isProcessAlive?: () => boolean | null | Promise<boolean | null>;
  /** Default systemClock. */
  clock?: Clock;
  /** Quiet time is counted from here until the first line; default the check's creation. */
  sinceMs?: number;
  severity?: Severity;
}

const SILENCE_ERROR_TYPE = "log_silencioso";
/** Reading a timestamp and asking the process check: far below this unless something is wrong. */
const SILENCE_TIMEOUT_MS = 2000;

/** Builds the silence check for one source. */
export function createSilenceCheck(spec: SilenceCheckSpec): Check {
  const clock = spec.clock ?? systemClock;
  const nowMs = () => clock.now();
  const sinceMs = spec.sinceMs ?? nowMs();
  let silent = false;

  async function probe(): Promise<CheckProbe> {
    const lastMs = spec.activity.lastLineAtMs(spec.source);
    const quietMs = Math.max(0, nowMs() - (lastMs ?? sinceMs));
    const fields: Record<string, string> = { source: spec.source, quiet_s: String(Math.round(quietMs / 1000)) };
    if (lastMs !== null) fields.last_line_at = new Date(lastMs).toISOString();
    const wasSilent = silent;
    silent = false;
    const quiet = formatDurationMs(quietMs);
    if (quietMs <= spec.maxQuietMs) {
      return wasSilent
        ? { ok: true, message: "recovered: a new line after the silence", motivo: "recuperado: línea nueva tras el silencio", fields }
        : { ok: true, message: `last line ${quiet} ago`, motivo: `última línea hace ${quiet}`, fields };
    }
    const alive = (await spec.isProcessAlive?.()) ?? null;
    if (alive === false) {
      return {
        ok: true,
        message: `quiet for ${quiet}, process not running (see its process check)`,
        motivo: `sin líneas desde hace ${quiet}, el proceso no está en marcha (lo dice su comprobación de proceso)`,
        fields,
      };
    }
    silent = true;
    const max = formatDurationMs(spec.maxQuietMs);
    return { ok: false, message: `no lines for ${quiet} (max ${max})`, motivo: `sin líneas desde hace ${quiet} (máximo ${max})`, fields };
  }

  return {
    id: `silence:${spec.source}`,
    kind: "silence",
    errorType: SILENCE_ERROR_TYPE,
    severity: spec.severity ?? "warning",
    timeoutMs: SILENCE_TIMEOUT_MS,
    failureThreshold: 1,
    probe,
    // Only a source currently reported silent needs an immediate re-check; other lines cost one comparison.
    subscribeWake: (wake) => spec.activity.subscribe(spec.source, () => {
      if (silent) wake();
    }),
  };
}
