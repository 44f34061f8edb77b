/**
 * The rules stage's public API, grouped. Other stages import from here (or from the modules named).
 */

// Loading: files → validated, compiled rules (+ problems as `file:line: field: message` data)
export { loadRules, listRuleFiles, RULE_FILE_EXTENSIONS, type LoadRulesOptions, type LoadRulesResult } from "./load-rules.js";
export { compileRule, RULE_DEFAULTS, type LoadedRule, type RawRule } from "./compile-rule.js";
export { RULE_FILE_SCHEMA, RULE_SCHEMA, ACTION_TYPES, VERIFY_TYPES } from "./rule-schema.js";
export { checkRegexSafety, type RegexSafety } from "./check-regex-safety.js";

// Matching: events → the first rule that claims them
export { createRuleMatcher, applyRule, buildMatchKey, findClaimingRules, matchFirstRule, type RuleMatcher } from "./match-rules.js";
export { matchRules } from "./match-rules-operator.js";
export { buildResolvePattern } from "./build-resolve-pattern.js";

// Hot reload
export { watchRules, DEFAULT_RULES_DEBOUNCE_MS, type RulesWatcher, type WatchRulesOptions } from "./watch-rules.js";

// Annotated samples (`vigia check --samples`)
export { checkRuleSamples, locateSamplesDir } from "./check-samples.js";
export { parseSampleLog, type SampleEvent, type SampleExpectation } from "./parse-sample-log.js";
