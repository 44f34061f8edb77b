/**
 * `expect_json` matching: the expected value is a subset of the answer. Objects match when every expected key
 * matches (extra keys in the answer are fine); arrays and scalars must be equal.
 */
import { clipText } from "./check.js";

/** The first difference, said for the operator (English) and for the admin (Spanish). */
export interface JsonMismatch {
  /** `status: expected "ok", got "degraded"`. */
  message: string;
  /** `status: se esperaba "ok", llegó "degraded"`. */
  motivo: string;
}

/** The first difference between `expected` and `actual`, or null when `expected` is a subset of `actual`. */
export function findJsonMismatch(expected: unknown, actual: unknown, path = ""): JsonMismatch | null {
  const at = path || "body";
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) {
      return { message: `${at}: expected an object, got ${describeValue(actual)}`, motivo: `${at}: se esperaba un objeto, llegó ${describeValue(actual)}` };
    }
    for (const [key, value] of Object.entries(expected)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(actual, key)) return { message: `${childPath}: missing`, motivo: `${childPath}: falta` };
      const mismatch = findJsonMismatch(value, actual[key], childPath);
      if (mismatch) return mismatch;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return describeDifference(at, expected, actual);
    for (let i = 0; i < expected.length; i++) {
      const mismatch = findJsonMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : describeDifference(at, expected, actual);
}

function describeDifference(at: string, expected: unknown, actual: unknown): JsonMismatch {
  const [e, a] = [describeValue(expected), describeValue(actual)];
  return { message: `${at}: expected ${e}, got ${a}`, motivo: `${at}: se esperaba ${e}, llegó ${a}` };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short rendering of an untrusted value for a message (JSON: the same in both voices). */
function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  return clipText(JSON.stringify(value) ?? String(value), 60);
}
