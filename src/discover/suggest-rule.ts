import { checkRegexSafety, OFFLINE_REDOS_TIMEOUT_MS } from "../rules/check-regex-safety.js";
import { buildFirstLineRegex, buildTemplateRegex, proposeRuleId, type TemplateRegex } from "./build-rule-regex.js";
import { pickCapturedFields } from "./fit-stub-to-samples.js";
import type { UnknownTemplate } from "./unknown-error-store.js";

/** A rule stub and its annotated sample log, or why none could be made. */
export type RuleSuggestion =
  | { ok: true; id: string; template: UnknownTemplate; rule: { id: string; description: string; match: string; severity: "warning" }; sampleLog: string }
  | { ok: false; template: UnknownTemplate; reason: string };

/**
 * A rule stub for one unclaimed template: an anchored regex (refused by the ReDoS check = the traceback form
 * falls back to its first line, else no stub), checked against the template's own samples, which become its
 * annotated sample log with the fields the regex captures from each.
 *
 * The check gets `vigia check`'s budget (or `redosTimeoutMs`), and only a regex it finds safe is suggested: that verdict is cached for
 * the installation, so `vigia check` and the daemon read the same one. An undecided check (out of time) is not
 * cached, and a later `vigia check` could find the regex vulnerable and refuse the stub.
 */
export function suggestRule(template: UnknownTemplate, taken: Set<string>, redosTimeoutMs = OFFLINE_REDOS_TIMEOUT_MS): RuleSuggestion {
  const candidates: TemplateRegex[] = [buildTemplateRegex(template.plantilla)];
  if (template.plantilla.includes("\n")) candidates.push(buildFirstLineRegex(template.plantilla));
  let why = "no sample matches the regex built from the template";
  for (const candidate of candidates) {
    const safety = checkRegexSafety(candidate.source, "", { timeoutMs: redosTimeoutMs });
    if (safety.status === "vulnerable") {
      why = `the regex built from the template can backtrack (${safety.complexity})`;
      continue;
    }
    if (safety.status === "unknown") {
      const budget = `${redosTimeoutMs / 1000} s`;
      why = `the ReDoS check could not decide on the regex built from the template within ${budget} (${safety.reason}); give it longer with --redos-timeout, or try again on a less busy machine`;
      continue;
    }
    const regex = new RegExp(candidate.source);
    const samples = template.ejemplos.map((text) => ({ text, found: regex.exec(text) })).filter((s) => s.found);
    if (samples.length === 0) continue;
    const id = proposeRuleId(template.plantilla, taken);
    taken.add(id);
    const sampleLog = [
      `# Samples of rule \`${id}\`, suggested by \`vigia suggest-rules\` from ${template.total} event(s) no rule claimed.`,
      "# Format: see rules/samples/ruta_inexistente.log (checked by `vigia check --samples`).",
      ...samples.flatMap((s) => ["", `# expect: ${JSON.stringify({ rule: id, fields: pickCapturedFields(s.found!) })}`, s.text]),
      "",
    ].join("\n");
    return {
      ok: true,
      id,
      template,
      rule: { id, description: `Suggested: ${template.plantilla.split("\n").join(" … ")}`, match: candidate.source, severity: "warning" },
      sampleLog,
    };
  }
  return { ok: false, template, reason: why };
}
