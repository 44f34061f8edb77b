import type { Problem } from "../util/problems.js";

/**
 * The config could not be used. Carries every problem found (not just the first), so `vigia check` can print
 * them all as `file:line: field: message`; the message itself holds no config values.
 */
export class ConfigError extends Error {
  constructor(
    readonly problems: Problem[],
    /** Non-fatal findings, printed alongside. */
    readonly warnings: Problem[],
    /** Absolute path of the config file, null when running on defaults. */
    readonly configFile: string | null,
    /** Rule paths when the `rules` key itself was usable, so `vigia check` can still validate the rule files. */
    readonly rulePaths: string[] | null,
  ) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in ${configFile ?? "the configuration"}`);
    this.name = "ConfigError";
  }
}
