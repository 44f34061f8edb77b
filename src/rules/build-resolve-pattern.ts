import type { CompiledRule } from "../types.js";
import { fillRegExpTemplate } from "../util/template.js";

/**
 * The regex that closes an incident of `rule` opened with `fields`: its `resolve_on` template with each
 * field regex-escaped (a captured `a.mp4` matches only itself), compiled with the rule's own flags, as the
 * loader checked it. Null when the rule has no `resolve_on`; throws `MissingFieldError` when the incident
 * did not capture a field the template needs.
 */
export function buildResolvePattern(rule: CompiledRule, fields: Readonly<Record<string, string>>): RegExp | null {
  if (rule.resolveOn === null) return null;
  return new RegExp(fillRegExpTemplate(rule.resolveOn, fields), rule.match.flags);
}
