/**
 * `expect_json` matching: the expected value is a subset of the answer. Objects match when every expected key
 * matches (extra keys in the answer are fine); arrays and scalars must be equal.
 */
import { clipText } from "./check.js";

/** Describes the first difference between `expected` and `actual` (`status: expected "ok", got "degraded"`), or null. */
export function findJsonMismatch(expected: unknown, actual: unknown, path = ""): string | null {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `${path || "body"}: expected an object, got ${describeValue(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(actual, key)) return `${childPath}: missing`;
      const mismatch = findJsonMismatch(value, actual[key], childPath);
      if (mismatch) return mismatch;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${path || "body"}: expected ${describeValue(expected)}, got ${describeValue(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const mismatch = findJsonMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : `${path || "body"}: expected ${describeValue(expected)}, got ${describeValue(actual)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short rendering of an untrusted value for a message. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  return clipText(JSON.stringify(value) ?? String(value), 60);
}
