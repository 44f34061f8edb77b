import type { CompiledRule } from "../types.js";
import { fillRegExpTemplate, fillTemplate } from "../util/template.js";

/**
 * Resolvers compiled lately, by flags and source, least recently used first. A regex is compiled at its first test
 * (about 40 µs, a hundred times a test), and a key that opens again (the same video failing twice) fills in the
 * same source: it gets the regex already compiled. About 2 KB each once compiled.
 */
const recentResolvers = new Map<string, RegExp>();
const MAX_RECENT_RESOLVERS = 1024;

/**
 * The regex that closes one incident: the rule's `resolve_on` with the incident's fields filled in, escaped so a
 * captured value (a video name with dots or brackets) matches literally. Takes the rule's `i`/`m`/`s`/`u` flags;
 * stateful flags are left out so `test()` answers the same every time (which also lets incidents share one). Throws
 * MissingFieldError when the template needs a field the match did not capture, SyntaxError for an invalid result.
 */
export function compileResolveOn(rule: CompiledRule, fields: Readonly<Record<string, string>>): RegExp | null {
  if (rule.resolveOn === null) return null;
  const flags = rule.match.flags.replace(/[gyd]/g, "");
  const source = fillRegExpTemplate(rule.resolveOn, fields);
  const key = `${flags}/${source}`;
  let resolver = recentResolvers.get(key);
  if (resolver) recentResolvers.delete(key);
  else {
    resolver = new RegExp(source, flags);
    if (recentResolvers.size >= MAX_RECENT_RESOLVERS) recentResolvers.delete(recentResolvers.keys().next().value!);
  }
  recentResolvers.set(key, resolver);
  return resolver;
}

/**
 * The gate in front of every incident of a rule: `resolve_on` with each `{field}` made a lazy wildcard. Whatever
 * value a field holds, the filled regex can only match where the gate matches, so the gate's "no" is final.
 */
export function compileResolveGate(rule: CompiledRule): RegExp {
  const flags = rule.match.flags.replace(/[gyd]/g, "");
  return new RegExp(fillTemplate(rule.resolveOn ?? "(?!)", {}, () => "[\\s\\S]*?"), flags);
}
