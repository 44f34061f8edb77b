import { fillTemplate } from "../util/template.js";
import { InvalidSpecError } from "./errors.js";

/**
 * Typed readers for action and verify options. The rule schema validates rule files at load time; these checks
 * repeat the essentials at run time so a hand-built rule (tests, other callers) fails with a clear message
 * instead of doing something odd.
 */
type Spec = { type: string; [option: string]: unknown };

/** A required string option. */
export function readString(spec: Spec, key: string): string {
  const value = spec[key];
  if (typeof value !== "string" || value === "") throw new InvalidSpecError(spec.type, key, "a non-empty string", value);
  return value;
}

/** An optional string option (null when absent). */
export function readOptionalString(spec: Spec, key: string): string | null {
  const value = spec[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value === "") throw new InvalidSpecError(spec.type, key, "a non-empty string", value);
  return value;
}

/** A required string option with its `{field}` templates filled from the match. */
export function readFilledString(spec: Spec, key: string, fields: Readonly<Record<string, string>>): string {
  return fillTemplate(readString(spec, key), fields);
}

/** An optional boolean option. */
export function readBoolean(spec: Spec, key: string, fallback: boolean): boolean {
  const value = spec[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw new InvalidSpecError(spec.type, key, "true or false", value);
  return value;
}

/** A required number option within bounds. */
export function readNumber(spec: Spec, key: string, bounds: { min?: number; integer?: boolean } = {}): number {
  const value = spec[key];
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (!bounds.integer || Number.isInteger(value));
  if (!ok) {
    const expected = `${bounds.integer ? "an integer" : "a number"}${bounds.min !== undefined ? ` >= ${bounds.min}` : ""}`;
    throw new InvalidSpecError(spec.type, key, expected, value);
  }
  return value as number;
}

/** The option's `timeout` (seconds) in ms, else the fallback. */
export function readTimeoutMs(spec: Spec, fallbackMs: number): number {
  if (spec.timeout === undefined || spec.timeout === null) return fallbackMs;
  const seconds = spec.timeout;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidSpecError(spec.type, "timeout", "a number of seconds > 0", seconds);
  }
  return Math.round(seconds * 1000);
}

/**
 * An argv option (`command`): a non-empty list of strings, templates filled item by item. The program name must be
 * literal: a captured value choosing which program runs would hand the log's author a command line.
 */
export function readArgv(spec: Spec, key: string, fields: Readonly<Record<string, string>>): string[] {
  const raw = spec[key];
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((item) => typeof item !== "string")) {
    throw new InvalidSpecError(spec.type, key, "a non-empty list of strings (argv)", raw);
  }
  const items = raw as string[];
  if (items[0]!.includes("{") || items[0] === "") {
    throw new InvalidSpecError(spec.type, `${key}[0]`, "a literal program name (no {field} templates)", items[0]);
  }
  return items.map((item, index) => {
    const filled = fillTemplate(item, fields);
    if (filled.includes("\0")) throw new InvalidSpecError(spec.type, `${key}[${index}]`, "no NUL bytes", filled);
    return filled;
  });
}

/** An optional map of environment variables; values may hold templates. */
export function readEnv(spec: Spec, key: string, fields: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const raw = spec[key];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new InvalidSpecError(spec.type, key, "a map of strings", raw);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InvalidSpecError(spec.type, `${key}.${name}`, "a string value under a valid variable name", value);
    }
    const filled = fillTemplate(value, fields);
    if (filled.includes("\0")) throw new InvalidSpecError(spec.type, `${key}.${name}`, "no NUL bytes", filled);
    env[name] = filled;
  }
  return env;
}

/** `mode: "0755"` (octal string) or 493 (number) → permission bits; null when absent. */
export function readMode(spec: Spec, key: string): number | null {
  const raw = spec[key];
  if (raw === undefined || raw === null) return null;
  const mode = typeof raw === "string" && /^0?[0-7]{3,4}$/.test(raw) ? parseInt(raw, 8) : typeof raw === "number" ? raw : NaN;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new InvalidSpecError(spec.type, key, "an octal mode like \"0755\"", raw);
  return mode;
}

/** `0755` for messages. */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}
