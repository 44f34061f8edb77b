/**
 * Reads fields of one raw check entry, collecting "expected X, got Y" problems instead of throwing, so one bad
 * entry is skipped with a clear message and the other checks still run. The config schema catches most of this
 * at load time; this is the last line for values only a run-time look can judge (a regex, a URL, a pair of limits).
 */

/** One problem with one check entry; `field` is the dotted path from the config root (`checks.http[1].url`). */
export interface CheckConfigProblem {
  field: string;
  message: string;
}

/** Short rendering of a raw value for a message. */
export function describeRaw(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Field accessors over one raw object that record problems under `basePath`. */
export class ConfigReader {
  readonly problems: CheckConfigProblem[] = [];

  constructor(readonly raw: Record<string, unknown>, readonly basePath: string) {}

  /** Records a problem for `key`; returns undefined so callers can `return reader.fail(...)`. */
  fail(key: string, expected: string, got: unknown = this.raw[key]): undefined {
    this.problems.push({ field: `${this.basePath}.${key}`, message: `expected ${expected}, got ${describeRaw(got)}` });
    return undefined;
  }

  string(key: string, options: { required?: boolean; fallback?: string } = {}): string | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (options.required) return this.fail(key, "a non-empty string");
      return options.fallback;
    }
    if (typeof value !== "string" || value.length === 0) return this.fail(key, "a non-empty string");
    return value;
  }

  /** A positive number of seconds, returned in milliseconds. */
  seconds(key: string, fallbackMs?: number): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallbackMs;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return this.fail(key, "a number of seconds > 0");
    return Math.round(value * 1000);
  }

  number(key: string, fallback: number, min = 0): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) return this.fail(key, `a number >= ${min}`);
    return value;
  }

  integer(key: string, fallback: number, min: number): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (!Number.isInteger(value) || (value as number) < min) return this.fail(key, `an integer >= ${min}`);
    return value as number;
  }

  /** A list of non-empty strings (an argv, a list of paths). */
  stringList(key: string, options: { required?: boolean } = {}): string[] | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      return options.required ? this.fail(key, "a non-empty list of strings") : undefined;
    }
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v.length > 0)) {
      return this.fail(key, "a non-empty list of strings");
    }
    return value as string[];
  }

  /** A JavaScript regex source, compiled without flags. */
  regex(key: string, options: { required?: boolean } = {}): RegExp | undefined {
    const source = this.string(key, options);
    if (source === undefined) return undefined;
    try {
      return new RegExp(source);
    } catch (error) {
      return this.fail(key, `a valid regex (${(error as Error).message})`, source);
    }
  }

  /** An http(s) URL. */
  url(key: string, fallback?: string): string | undefined {
    const value = this.string(key, { required: fallback === undefined, fallback });
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === "http:" || url.protocol === "https:") return value;
    } catch {
      // reported below
    }
    // The URL may carry a token: name the field, never echo the value.
    this.problems.push({ field: `${this.basePath}.${key}`, message: "expected an http:// or https:// URL" });
    return undefined;
  }
}

/** True for a plain object (a mapping in YAML). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
