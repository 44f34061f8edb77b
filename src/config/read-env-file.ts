import { parseEnv } from "node:util";
import { readTextIfExists } from "../util/read-text-if-exists.js";

/** A parsed `.env` file: its variables, and where each is set (for messages about bad values). */
export interface EnvFile {
  path: string;
  vars: Record<string, string>;
  /** 1-based line of the last assignment of `name`, 0 when not found. */
  lineOf(name: string): number;
}

/**
 * Reads a `.env` with Node's own parser (the `process.loadEnvFile` syntax) without touching `process.env`:
 * the caller merges it under the real environment, so nothing leaks between runs or tests.
 * Returns null when the file does not exist; other read errors are thrown.
 */
export async function readEnvFile(path: string): Promise<EnvFile | null> {
  const text = await readTextIfExists(path);
  if (text === null) return null;
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) if (value !== undefined) vars[key] = value;
  const lines = text.split(/\r?\n/);
  const lineOf = (name: string): number => {
    const assignment = new RegExp(`^\\s*(?:export\\s+)?${name.replace(/[^A-Za-z0-9_]/g, "")}\\s*=`);
    for (let i = lines.length - 1; i >= 0; i--) if (assignment.test(lines[i]!)) return i + 1;
    return 0;
  };
  return { path, vars, lineOf };
}
