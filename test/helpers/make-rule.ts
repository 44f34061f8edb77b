/** Rules, events and matches as the rule compiler, the multiline grouper and the matcher produce them (test data). */
import type { CompiledRule, LogEvent, RuleMatch } from "../../src/types.js";

/** A compiled rule with the loader's defaults, matching its id (case-insensitive); override what a test is about. */
export function makeRule(overrides: Partial<CompiledRule> = {}): CompiledRule {
  const id = overrides.id ?? "prueba";
  return {
    id,
    match: new RegExp(id, "i"),
    exclude: [],
    sources: null,
    severity: "warning",
    keyTemplate: null,
    cooldownMs: 60_000,
    threshold: null,
    dependsOn: [],
    extract: [],
    actions: [],
    verify: null,
    resolveOn: null,
    retries: null,
    backoffMs: null,
    notify: "on_failure",
    notifyTemplate: null,
    file: "rules/test.yaml",
    line: 1,
    ...overrides,
  };
}

let nextOffset = 0;

/** An event from the bot's log at the next free offset (or where told). */
export function makeEvent(text: string, at: { fileId?: string; offset?: number; source?: string } = {}): LogEvent {
  const offset = at.offset ?? nextOffset;
  const endOffset = offset + Buffer.byteLength(text) + 1;
  if (at.offset === undefined) nextOffset = endOffset;
  return {
    source: at.source ?? "bot",
    file: "logs/bot_central.log",
    fileId: at.fileId ?? "2049:1234",
    text,
    lineCount: text.split("\n").length,
    offset,
    endOffset,
    readAtMs: 0,
  };
}

/** A match of `rule` on `event` with `fields`; the key as the matcher builds it without a key template. */
export function makeMatch(rule: CompiledRule, fields: Record<string, string>, event = makeEvent(`${rule.id} ${JSON.stringify(fields)}`)): RuleMatch {
  const names = Object.keys(fields).sort();
  const key = names.length ? `${rule.id}:${names.map((n) => `${n}=${fields[n]}`).join(",")}` : rule.id;
  return { rule, event, fields, key };
}
