import type { CheckTransition } from "../checks/index.js";
import type { ActionSpec, CheckResult, CompiledRule, LogEvent, RuleMatch } from "../types.js";

/** What the check adapter needs from the incident side. */
export interface CheckIncidentSink {
  /** Opens (or folds into) the incident of a match. */
  handleMatch(event: LogEvent, match: RuleMatch): void;
  /**
   * Closes the open incident of `key` as solucionado; false when none is open. `openedByLogOnly`: only an incident a
   * log line opened (one the check opened is closed by the check's own `up` edge, which flapping may hold back).
   */
  resolveKey(key: string, accion: string, detalle: string, openedByLogOnly?: boolean): boolean;
  /** Closes the open incident of `key` as fallido; false when none is open. */
  failKey(key: string, accion: string, detalle: string): boolean;
  /** The loaded rule of that id, if any. */
  findRule(id: string): CompiledRule | undefined;
  /** The incident key of a check (shared with the log rule of the same outage); default `getCheckKey`. */
  keyOf?(checkId: string): string;
}

/** The correlation key of a check's incident: one incident per check at a time. */
export function getCheckKey(check: string): string {
  return `check:${check}`;
}

/** A rule for a check failure that no rule file describes: alert, and stay open until the check recovers. */
export function createCheckRule(result: CheckResult, actions: ActionSpec[] = []): CompiledRule {
  return {
    id: result.errorType,
    description: `periodic check ${result.check}`,
    match: /$^/,
    exclude: [],
    sources: null,
    severity: result.severity,
    keyTemplate: null,
    cooldownMs: 0,
    threshold: null,
    dependsOn: [],
    extract: [],
    actions,
    verify: null,
    resolveOn: null,
    retries: actions.length > 0 ? 1 : null,
    backoffMs: null,
    notify: "always",
    notifyTemplate: null,
    closedExternally: actions.length === 0,
    file: "<checks>",
    line: 0,
  };
}

/** Picks the rule for a failed check: a loaded rule of that id when it remediates something, else a built-in one. */
function selectRule(result: CheckResult, sink: CheckIncidentSink): CompiledRule {
  const loaded = sink.findRule(result.errorType);
  if (loaded && loaded.actions.length > 0) return { ...loaded, severity: result.severity };
  return createCheckRule(result);
}

/** Turns a check's failure into the event and match the incident manager takes. */
export function createCheckMatch(
  result: CheckResult,
  rule: CompiledRule,
  key = getCheckKey(result.check),
): { event: LogEvent; match: RuleMatch } {
  const text = `${result.check}: ${result.message}`;
  const event: LogEvent = {
    source: `check:${result.kind}`,
    file: result.check,
    fileId: `check:${result.check}`,
    text,
    lineCount: 1,
    offset: -1,
    endOffset: -1,
    readAtMs: result.atMs,
  };
  const fields: Record<string, string> = { check: result.check, ...result.fields };
  return { event, match: { rule, event, fields, key } };
}

/** `accion` of a process incident whose restart budget is spent. */
export const ACCION_RESTART_EXHAUSTED = "no reiniciado: límite de reinicios";

/**
 * Feeds check transitions into the incident flow: `down` (and `flapping`) opens or folds the check's incident,
 * `up` closes it as solucionado with the recovery note ("recuperado, 23 ms"). A process whose restart budget is
 * spent fails its incident at once: nothing will bring it back without a human.
 */
export function handleCheckTransition(t: CheckTransition, sink: CheckIncidentSink): void {
  const key = sink.keyOf?.(t.check) ?? getCheckKey(t.check);
  if (t.state === "up") {
    sink.resolveKey(key, "recuperado", t.result.message);
    return;
  }
  if (t.state === "down" || t.state === "flapping") {
    const result = t.state === "flapping" ? { ...t.result, message: `inestable: ${t.result.message}` } : t.result;
    const rule = selectRule(result, sink);
    const { event, match } = createCheckMatch(result, rule, key);
    sink.handleMatch(event, match);
    handleCheckResult(result, sink);
  }
}

/**
 * Every result, edge or not. A success closes an incident of the check's key that the log opened while the check
 * never went down (the disk had room, the server answered). A process still down whose restarts ran out (the
 * restarted one crashed too) fails the incident opened by its first crash.
 */
export function handleCheckResult(result: CheckResult, sink: CheckIncidentSink): void {
  const key = sink.keyOf?.(result.check) ?? getCheckKey(result.check);
  if (result.ok) sink.resolveKey(key, "recuperado", result.message, true);
  else if (result.fields["restart_exhausted"] === "true") sink.failKey(key, ACCION_RESTART_EXHAUSTED, result.message);
}
