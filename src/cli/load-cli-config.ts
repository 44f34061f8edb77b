import { ConfigError, loadConfig, type LoadedConfig } from "../config/index.js";
import { formatProblem } from "../util/problems.js";
import { LOG_LEVELS, type LogLevel } from "../observe/log-level.js";
import { UsageError } from "./main.js";

/**
 * Loads the config for a command, printing every problem and returning null when it is invalid. `rulesPath` is
 * the command's `--rules`, which replaces the config's rules.
 */
export async function loadCliConfig(
  configPath: unknown,
  write: (s: string) => void = (s) => process.stderr.write(s),
  rulesPath: unknown = undefined,
): Promise<LoadedConfig | null> {
  try {
    const loaded = await loadConfig({
      configPath: typeof configPath === "string" ? configPath : undefined,
      cwd: process.cwd(),
      env: process.env,
      rules: typeof rulesPath === "string" ? [rulesPath] : undefined,
    });
    for (const w of loaded.warnings) write(`warning: ${formatProblem(w)}\n`);
    return loaded;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const p of error.problems) write(`${formatProblem(p)}\n`);
      write(`vigia: the configuration has ${error.problems.length} problem(s); nothing was started\n`);
      return null;
    }
    throw error;
  }
}

/** Console level from `--log-level`, `-v`, `-q`, else the config's. */
export function pickConsoleLevel(values: Record<string, unknown>, fallback: LogLevel): LogLevel {
  const given = (["log-level", "verbose", "quiet"] as const).filter((f) => values[f] !== undefined);
  if (given.length > 1) throw new UsageError(`${given.map((f) => `--${f}`).join(" and ")} contradict each other: give one`);
  const raw = values["log-level"];
  if (typeof raw === "string") {
    if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(", ")}, got '${raw}'`);
    return raw as LogLevel;
  }
  if (values["verbose"]) return "debug";
  if (values["quiet"]) return "warn";
  return fallback;
}
