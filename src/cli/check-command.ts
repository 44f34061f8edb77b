import { ConfigError, loadConfig } from "../config/index.js";
import { loadRules } from "../rules/load-rules.js";
import { checkRuleSamples, locateSamplesDir } from "../rules/check-samples.js";
import { formatProblem, type Problem } from "../util/problems.js";
import { toRuleSource } from "../rules/rule-source.js";
import { OFFLINE_REDOS_TIMEOUT_MS } from "../rules/check-regex-safety.js";

/** `vigia check`: validates the config and every rule file; prints `file:line: field: message`; exit 1 when invalid. */
export async function runCheckCommand(values: Record<string, unknown>): Promise<number> {
  const problems: Problem[] = [];
  let rulePaths: string[] | null;
  let configLabel = "built-in defaults";
  try {
    const loaded = await loadConfig({
      configPath: values["config"] as string | undefined,
      cwd: process.cwd(),
      env: process.env,
      rules: typeof values["rules"] === "string" ? [values["rules"]] : undefined,
    });
    for (const w of loaded.warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
    rulePaths = loaded.config.rulePaths;
    if (loaded.configFile) configLabel = loaded.configFile;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    rulePaths = error.rulePaths;
    if (error.configFile) configLabel = error.configFile;
  }
  let ruleCount = 0;
  if (rulePaths) {
    const from = toRuleSource(rulePaths);
    // A one-shot check can afford to wait for a verdict the daemon's worker would give up on (and accept) on a
    // loaded machine: an undecided regex is only refused if recheck gets the time to decide.
    const result = loadRules(from, { redosTimeoutMs: OFFLINE_REDOS_TIMEOUT_MS });
    problems.push(...result.problems);
    ruleCount = result.rules.length;
    if (values["samples"] && result.problems.length === 0) problems.push(...checkRuleSamples(result.rules, locateSamplesDir(from)));
  }
  for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
  if (problems.length > 0) {
    process.stderr.write(`vigia check: ${problems.length} problem(s)\n`);
    return 1;
  }
  process.stdout.write(`ok: config (${configLabel}) and ${ruleCount} rule(s) valid${values["samples"] ? ", every rule passes its samples" : ""}\n`);
  return 0;
}
