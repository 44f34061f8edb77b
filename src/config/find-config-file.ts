import { access } from "node:fs/promises";
import { resolve } from "node:path";

/** Names looked for in the working directory, in this order. */
const CONFIG_FILE_NAMES = ["vigia.config.yaml", "vigia.config.yml", "vigia.config.json"] as const;

/** Where the config came from: `--config`, `VIGIA_CONFIG`, found in the working directory, or none. */
export type ConfigOrigin = "option" | "env" | "cwd" | "defaults";

export interface ConfigFileChoice {
  /** Absolute path, or null for the built-in defaults. */
  path: string | null;
  origin: ConfigOrigin;
  /** Other candidates in the working directory that were not used (worth a warning). */
  ignored: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the config file: `--config`, else env `VIGIA_CONFIG`, else the first of `CONFIG_FILE_NAMES` in `cwd`,
 * else none (built-in defaults). An explicit path is returned even if missing, so the caller reports it
 * instead of silently falling back to defaults.
 */
export async function findConfigFile(options: {
  configPath?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<ConfigFileChoice> {
  if (options.configPath) return { path: resolve(options.cwd, options.configPath), origin: "option", ignored: [] };
  const fromEnv = options.env.VIGIA_CONFIG;
  if (fromEnv) return { path: resolve(options.cwd, fromEnv), origin: "env", ignored: [] };
  const found: string[] = [];
  for (const fileName of CONFIG_FILE_NAMES) {
    const candidate = resolve(options.cwd, fileName);
    if (await exists(candidate)) found.push(candidate);
  }
  if (found.length === 0) return { path: null, origin: "defaults", ignored: [] };
  return { path: found[0]!, origin: "cwd", ignored: found.slice(1) };
}
