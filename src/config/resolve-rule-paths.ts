import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULTS } from "./defaults.js";

/** The rule folder of this vigia installation (`<repo>/rules`, next to dist/ and src/). */
const SHIPPED_RULES_DIR = fileURLToPath(new URL("../../rules", import.meta.url));

export interface RulePathChoice {
  /** Absolute rule files or folders, in order. */
  paths: string[];
  /** Set when the default `rules/` is missing and the shipped rules stand in: the warning to print. */
  fallbackWarning: string | null;
}

/**
 * Where the rules come from: `--rules` when given, else the config's `rules:` as written, else `rules/` beside the
 * config (the working folder without one). When that default folder does not exist, the rules shipped with vigia
 * are used with a warning, config file or not: adding a config must never silently turn detection off. An
 * explicit choice (`--rules`, `rules:`) is taken as written, so a missing path there is an error, not a fallback.
 */
export function resolveRulePaths(rawRules: string | string[] | undefined, baseDir: string, override: string[] | null = null): RulePathChoice {
  if (override) return { paths: override, fallbackWarning: null };
  if (rawRules !== undefined) return { paths: (typeof rawRules === "string" ? [rawRules] : rawRules).map((p) => resolve(baseDir, p)), fallbackWarning: null };
  const folder = resolve(baseDir, DEFAULTS.rules);
  if (existsSync(folder) || !existsSync(SHIPPED_RULES_DIR)) return { paths: [folder], fallbackWarning: null };
  return {
    paths: [SHIPPED_RULES_DIR],
    fallbackWarning: `no ${DEFAULTS.rules}/ folder in ${baseDir}: using the rules shipped with vigia (${SHIPPED_RULES_DIR})`,
  };
}
