import type { CheckTransition } from "../checks/index.js";
import type { IncidentInput } from "../incidents/incident-input.js";
import type { ActionSpec, CheckResult, CompiledRule, LogEvent, RuleMatch } from "../types.js";

/** What turning a check's verdict into incident inputs needs to know. */
export interface CheckIncidentContext {
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
function createCheckRule(result: CheckResult, actions: ActionSpec[] = []): CompiledRule {
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
function selectRule(result: CheckResult, context: CheckIncidentContext): CompiledRule {
  const loaded = context.findRule(result.errorType);
  if (loaded && loaded.actions.length > 0) return { ...loaded, severity: result.severity };
  return createCheckRule(result);
}

/** Turns a check's failure into the event and match the incident manager takes; its text is the admin's (Spanish). */
function createCheckMatch(
  result: CheckResult,
  rule: CompiledRule,
  key = getCheckKey(result.check),
): { event: LogEvent; match: RuleMatch } {
  const text = `${result.check}: ${result.motivo}`;
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
const ACCION_RESTART_EXHAUSTED = "no reiniciado: límite de reinicios";

/**
 * A check transition as incident inputs: `down` (and `flapping`) opens or folds the check's incident, `up` closes
 * it as solucionado with the recovery note ("recuperado, 23 ms"). The journal's texts are the result's `motivo` (the
 * journal and the alerts speak Spanish), monitor.log's its English `message`. A process whose restart budget is spent
 * fails its incident at once: nothing will bring it back without a human.
 */
export function fromCheckTransition(t: CheckTransition, context: CheckIncidentContext): IncidentInput[] {
  const key = context.keyOf?.(t.check) ?? getCheckKey(t.check);
  if (t.state === "up") return [{ type: "close", key, estado: "solucionado", accion: "recuperado", detalle: t.result.motivo, message: `recovered: ${t.result.message}` }];
  if (t.state !== "down" && t.state !== "flapping") return [];
  const result = t.state === "flapping" ? { ...t.result, motivo: `inestable: ${t.result.motivo}` } : t.result;
  const { event, match } = createCheckMatch(result, selectRule(result, context), key);
  return [{ events: [event], matches: [match], eventCount: 1 }, ...fromCheckResult(result, context)];
}

/**
 * Every result, edge or not, as incident inputs. A success closes an incident of the check's key that the log
 * opened while the check never went down (the disk had room, the server answered). A process still down whose
 * restarts ran out (the restarted one crashed too) fails the incident opened by its first crash.
 */
export function fromCheckResult(result: CheckResult, context: CheckIncidentContext): IncidentInput[] {
  const key = context.keyOf?.(result.check) ?? getCheckKey(result.check);
  if (result.ok) return [{ type: "close", key, estado: "solucionado", accion: "recuperado", detalle: result.motivo, message: `recovered: ${result.message}`, onlyIfLogOpened: true }];
  if (result.fields["restart_exhausted"] === "true") {
    return [{ type: "close", key, estado: "fallido", accion: ACCION_RESTART_EXHAUSTED, detalle: result.motivo, message: `not restarted, restart limit reached: ${result.message}` }];
  }
  return [];
}
