/**
 * The shape every periodic check shares. A check only knows how to probe one thing once; timing, timeouts,
 * thresholds and flapping belong to the scheduler and the state tracker, so each check stays a small function.
 */
import type { CheckResult, Severity } from "../types.js";

type CheckKind = CheckResult["kind"];

/** What one probe found, before the runner stamps it with the check's identity, time and duration. */
export interface CheckProbe {
  ok: boolean;
  /** Severity of a failure; defaults to the check's own severity (ignored when ok: an ok result is `info`). */
  severity?: Severity;
  /** Reason ("refused", "HTTP 500") or note ("recovered, 23 ms") for the operator, in English. */
  message: string;
  /** The same for the admin, in Spanish ("conexión rechazada", "recuperado, 23 ms"): it becomes the journal's text. */
  motivo: string;
  /** Extra values for the incident's `campos`; plain strings, never parsed by a shell. */
  fields?: Record<string, string>;
}

/** One configured check, ready to run. */
export interface Check {
  /** Unique id, also the incident's `fuente` suffix: `disk:/`, `http:backend`, `bot_api`, `process:bot`. */
  readonly id: string;
  readonly kind: CheckKind;
  /** The rule id a failure maps to (`disco_lleno`, `servicio_caido`…). */
  readonly errorType: string;
  /** Severity of a failure when the probe does not say. */
  readonly severity: Severity;
  /** A run slower than this is abandoned (its signal aborted) and reported as a failure. */
  readonly timeoutMs: number;
  /** Own cadence; when absent the scheduler's `intervalMs` applies (the bot API check probes every 10 s). */
  readonly intervalMs?: number;
  /** Consecutive failures before the check counts as down (1 = the first failure). */
  readonly failureThreshold: number;
  /** false: every up/down edge is reported, however often (the check bounds repeats itself). Default true. */
  readonly detectFlapping?: boolean;
  /** Probes once; may throw (the runner turns a throw into a failed result). Must honour `signal`. */
  probe(signal: AbortSignal): Promise<CheckProbe>;
  /**
   * Optional: lets a check ask for an immediate run between cycles (a silent source that writes again).
   * Returns an unsubscribe function.
   */
  subscribeWake?(wake: () => void): () => void;
}

/** Cuts an untrusted string (a response body, a command's stderr) to a size fit for an alert. */
export function clipText(text: string, maxChars = 160): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return oneLine.length <= maxChars ? oneLine : `${oneLine.slice(0, maxChars - 1)}…`;
}
