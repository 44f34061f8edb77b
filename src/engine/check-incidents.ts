import type { CheckTransition } from "../checks/index.js";
import type { ActionSpec, CheckResult, CompiledRule, LogEvent, RuleMatch } from "../types.js";

/** What the check adapter needs from the incident side. */
export interface CheckIncidentSink {
  /** Opens (or folds into) the incident of a match. */
  handleMatch(event: LogEvent, match: RuleMatch): void;
  /** Closes the open incident of `key` as solucionado; false when none is open. */
  resolveKey(key: string, accion: string, detalle: string): boolean;
  /** The loaded rule of that id, if any. */
  findRule(id: string): CompiledRule | undefined;
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
  const restart = result.fields["restart"];
  if (restart && result.fields["restart_exhausted"] !== "true") {
    try {
      const argv = JSON.parse(restart) as unknown;
      if (Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === "string")) {
        return createCheckRule(result, [{ type: "exec", command: argv }]);
      }
    } catch {
      /* not an argv: alert only */
    }
  }
  const loaded = sink.findRule(result.errorType);
  if (loaded && loaded.actions.length > 0) return { ...loaded, severity: result.severity };
  return createCheckRule(result);
}

/** Turns a check's failure into the event and match the incident manager takes. */
export function createCheckMatch(result: CheckResult, rule: CompiledRule): { event: LogEvent; match: RuleMatch } {
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
  return { event, match: { rule, event, fields, key: getCheckKey(result.check) } };
}

/**
 * Feeds check transitions into the incident flow: `down` (and `flapping`) opens or folds the check's incident,
 * `up` closes it as solucionado with the recovery note ("recuperado, 23 ms").
 */
export function handleCheckTransition(t: CheckTransition, sink: CheckIncidentSink): void {
  const key = getCheckKey(t.check);
  if (t.state === "up") {
    sink.resolveKey(key, "recuperado", t.result.message);
    return;
  }
  if (t.state === "down" || t.state === "flapping") {
    const result = t.state === "flapping" ? { ...t.result, message: `inestable: ${t.result.message}` } : t.result;
    const rule = selectRule(result, sink);
    const { event, match } = createCheckMatch(result, rule);
    sink.handleMatch(event, match);
  }
}
