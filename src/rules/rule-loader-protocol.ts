import type { LoadRulesOptions, LoadRulesResult } from "./load-rules.js";

/** A load request to the rule-loading worker; the answer carries the same id. */
export interface ToRuleLoader {
  id: number;
  from: string | readonly string[];
  options: LoadRulesOptions;
}

/** The load's result (rules cross by structured clone, RegExp and Set included), or what made it throw. */
export type FromRuleLoader = { id: number; result: LoadRulesResult } | { id: number; error: string };
