import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { convertAjvErrors, formatFieldPath, parseLocated, type Problem } from "../util/problems.js";
import { applyEnvOverrides, type EnvLookup } from "./apply-env-overrides.js";
import { ConfigError } from "./config-error.js";
import { CONFIG_SCHEMA } from "./config-schema.js";
import { DEFAULTS } from "./defaults.js";
import { expandEnvDeep } from "./expand-env.js";
import { findConfigFile, type ConfigOrigin } from "./find-config-file.js";
import { normalizeConfig, type ConfigLocator } from "./normalize-config.js";
import { readEnvFile, type EnvFile } from "./read-env-file.js";
import { resolveRulePaths } from "./resolve-rule-paths.js";
import type { RawConfig, VigiaConfig } from "./types.js";

export interface LoadConfigOptions {
  /** `--config`; relative to `cwd`. */
  configPath?: string;
  cwd: string;
  /** The real environment (usually `process.env`); it wins over the `.env` file and is never modified. */
  env: NodeJS.ProcessEnv;
  /** `--rules`: rule files or folders (relative to `cwd`) that replace the config's `rules:`. */
  rules?: string[];
}

export interface LoadedConfig {
  config: VigiaConfig;
  /** Absolute path, or null on built-in defaults. */
  configFile: string | null;
  origin: ConfigOrigin;
  /** Absolute path of the `.env` that was read, or null. */
  envFile: string | null;
  /** Non-fatal findings (`file:line: field: message`), for the banner and `vigia check`. */
  warnings: Problem[];
  /** Environment variables that changed the config, without their values. */
  envApplied: string[];
}

/** Pseudo file name of problems about the built-in defaults and the real environment. */
const DEFAULTS_FILE = "<defaults>";
const ENVIRONMENT_FILE = "environment";

let validateRaw: ValidateFunction | undefined;

/** The schema compiled once per process. */
function getValidator(): ValidateFunction {
  validateRaw ??= new Ajv({ allErrors: true, allowUnionTypes: true, strict: true }).compile(CONFIG_SCHEMA);
  return validateRaw;
}

/** A path as shown in messages: relative to the working directory when inside it. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** The real environment over the `.env` file; empty values count as unset for overrides. */
function mergeEnv(real: NodeJS.ProcessEnv, envFile: EnvFile | null, cwd: string): { vars: Record<string, string>; lookup: EnvLookup } {
  const vars: Record<string, string> = { ...envFile?.vars };
  for (const [key, value] of Object.entries(real)) if (value !== undefined) vars[key] = value;
  const lookup: EnvLookup = {
    get: (name) => vars[name] || undefined,
    locate: (name) =>
      envFile && real[name] === undefined && envFile.vars[name] !== undefined
        ? { file: displayPath(envFile.path, cwd), line: envFile.lineOf(name) }
        : { file: ENVIRONMENT_FILE, line: 0 },
  };
  return { vars, lookup };
}

/** Rule paths from a raw value when that key alone is usable (for `vigia check` on a broken config). */
function guessRulePaths(value: unknown, baseDir: string, override: string[] | null): string[] | null {
  const rules = value && typeof value === "object" ? (value as { rules?: unknown }).rules : undefined;
  const list = rules === undefined || typeof rules === "string" ? [rules ?? DEFAULTS.rules] : rules;
  if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === "string" && p)) return override;
  return resolveRulePaths(rules as string | string[] | undefined, baseDir, override).paths;
}

/**
 * Finds, reads, expands, validates and normalizes the config.
 * Lookup: `configPath`, else env `VIGIA_CONFIG`, else `vigia.config.yaml|yml|json` in `cwd`, else the built-in
 * defaults relative to `cwd`. A `.env` beside the config (in `cwd` without one) is read first and merged under
 * the real environment, which is never modified. Throws a `ConfigError` carrying every problem found.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd);
  const choice = await findConfigFile({ configPath: options.configPath, cwd, env: options.env });
  const configFile = choice.path;
  const baseDir = configFile ? dirname(configFile) : cwd;
  const rulesOverride = options.rules ? options.rules.map((p) => resolve(cwd, p)) : null;
  const problems: Problem[] = [];
  const warnings: Problem[] = choice.ignored.map((path) => ({
    file: displayPath(path, cwd),
    line: 0,
    field: "-",
    message: `ignored: ${displayPath(configFile!, cwd)} is used`,
  }));
  const fail = (value: unknown): never => {
    throw new ConfigError(problems, warnings, configFile, guessRulePaths(value, baseDir, rulesOverride));
  };

  const envPath = join(baseDir, ".env");
  let envFile: EnvFile | null = null;
  try {
    envFile = await readEnvFile(envPath);
  } catch (error) {
    problems.push({ file: displayPath(envPath, cwd), line: 0, field: "-", message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
  }
  const env = mergeEnv(options.env, envFile, cwd);

  let raw: unknown = {};
  let locator: ConfigLocator = { file: DEFAULTS_FILE, lineOf: () => 0 };
  if (configFile) {
    const file = displayPath(configFile, cwd);
    let text: string;
    try {
      text = await readFile(configFile, "utf8");
    } catch (error) {
      problems.push({ file, line: 0, field: "-", message: `cannot read config file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      return fail(undefined);
    }
    const doc = parseLocated(text, file);
    problems.push(...doc.problems);
    if (doc.problems.length > 0) return fail(undefined);
    locator = doc;
    // An empty file is a valid config: all defaults.
    const expanded = expandEnvDeep(doc.value ?? {}, env.vars);
    raw = expanded.value;
    for (const issue of expanded.issues) {
      problems.push({ file, line: doc.lineOf(issue.path), field: formatFieldPath(issue.path), message: issue.message });
    }
    const validate = getValidator();
    if (!validate(raw)) problems.push(...convertAjvErrors(validate.errors, { ...doc, value: raw }));
    if (problems.length > 0) return fail(raw);
  }

  const overridden = applyEnvOverrides(raw as RawConfig, env.lookup);
  problems.push(...overridden.problems);
  const apiRootFromEnv = !(raw as RawConfig).notify?.telegram?.api_root && Boolean(overridden.raw.notify?.telegram?.api_root);
  const normalized = normalizeConfig(overridden.raw, { baseDir, configFile, locator, rulesOverride, apiRootFromEnv });
  problems.push(...normalized.problems);
  warnings.push(...normalized.warnings);
  if (problems.length > 0) return fail(raw);

  return {
    config: normalized.config,
    configFile,
    origin: choice.origin,
    envFile: envFile?.path ?? null,
    warnings,
    envApplied: overridden.applied,
  };
}
