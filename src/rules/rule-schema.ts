/**
 * JSON Schema (draft-07, validated with ajv 8) of a rule file: `{ rules: [ … ] }`.
 *
 * It is the contract of ARCHITECTURE.md "Contract: rule files" as data. Every object rejects unknown keys,
 * so a typo (`exlude:`) is an error with its line, never a silently ignored option. Defaults are written
 * here as `default` annotations for readers and tools; they are applied once, by the compiler
 * (`RULE_DEFAULTS` in compile-rule.ts), not by ajv. Durations are in seconds here and become milliseconds
 * in the compiled rule.
 */

const ruleId = { type: "string", pattern: "^[a-z][a-z0-9_]*$" } as const;
const nonEmptyString = { type: "string", minLength: 1 } as const;
const seconds = { type: "number", minimum: 0 } as const;
const timeout = { ...seconds, description: "seconds before the action or check is killed" } as const;
const argv = { type: "array", minItems: 1, items: { type: "string" } } as const;

/** One action type's allowed keys (besides `type` and `timeout`) and which of them are required. */
const ACTION_SHAPES = {
  mkdir: {
    properties: {
      path: nonEmptyString,
      parent: { type: "boolean", description: "path names a file: create the folder that holds it" },
      mode: { type: "string", pattern: "^0?[0-7]{3,4}$", description: "octal, e.g. \"0755\"" },
    },
    required: ["path"],
  },
  chown: {
    properties: {
      path: nonEmptyString,
      recursive: { type: "boolean" },
      owner: { type: "string", pattern: "^[^:\\s]+(:[^:\\s]+)?$", description: "\"user:group\", names or ids" },
    },
    required: ["path"],
  },
  cleanup: { properties: { path: nonEmptyString }, required: ["path"] },
  prune: {
    properties: {
      dir: nonEmptyString,
      glob: nonEmptyString,
      older_than_days: { type: "number", minimum: 0 },
      target_free_gb: { type: "number", exclusiveMinimum: 0 },
    },
    required: ["dir", "glob", "older_than_days", "target_free_gb"],
  },
  exec: {
    properties: {
      command: argv,
      cwd: nonEmptyString,
      env: { type: "object", additionalProperties: { type: "string" } },
    },
    required: ["command"],
  },
  wait: { properties: {}, required: [] },
} as const;

/** One verification type's allowed keys (besides `type`) and which of them are required. */
const VERIFY_SHAPES = {
  path_exists: { properties: { path: nonEmptyString }, required: ["path"] },
  path_writable: { properties: { path: nonEmptyString, user: nonEmptyString }, required: ["path"] },
  file_absent: { properties: { path: nonEmptyString }, required: ["path"] },
  file_min_size: { properties: { path: nonEmptyString, bytes: { type: "integer", minimum: 0 } }, required: ["path", "bytes"] },
  http_ok: { properties: { url: nonEmptyString, timeout }, required: ["url"] },
  http_up: { properties: { url: nonEmptyString, health_url: { type: "string" }, timeout }, required: ["url"] },
  disk_free: {
    properties: {
      path: nonEmptyString,
      fallback_path: nonEmptyString,
      min_gb: { anyOf: [{ type: "number", minimum: 0 }, { type: "string", pattern: "^\\{config\\.[a-z_]+\\}$" }] },
    },
    required: ["path", "min_gb"],
  },
  exec_ok: { properties: { command: argv, timeout }, required: ["command"] },
} as const;

export const ACTION_TYPES = Object.keys(ACTION_SHAPES) as Array<keyof typeof ACTION_SHAPES>;
export const VERIFY_TYPES = Object.keys(VERIFY_SHAPES) as Array<keyof typeof VERIFY_SHAPES>;

/**
 * A `type`-discriminated object as `if/then` pairs rather than `oneOf`: ajv then reports only the errors
 * of the branch the `type` selects (an unknown key of a `mkdir`), not one failure per alternative.
 */
function buildTaggedUnion(
  shapes: Record<string, { properties: Record<string, unknown>; required: readonly string[] }>,
  common: Record<string, unknown>,
): Record<string, unknown> {
  const types = Object.keys(shapes);
  return {
    type: "object",
    required: ["type"],
    properties: { type: { enum: types } },
    allOf: types.map((t) => ({
      if: { type: "object", required: ["type"], properties: { type: { const: t } } },
      then: {
        type: "object",
        properties: { type: { const: t }, ...common, ...shapes[t]!.properties },
        required: [...shapes[t]!.required],
        additionalProperties: false,
      },
    })),
  };
}

export const ACTION_SCHEMA = buildTaggedUnion(ACTION_SHAPES, { timeout });
export const VERIFY_SCHEMA = buildTaggedUnion(VERIFY_SHAPES, {});

/** One rule: the keys of the contract, nothing else. */
export const RULE_SCHEMA = {
  type: "object",
  required: ["id", "match"],
  additionalProperties: false,
  properties: {
    id: { ...ruleId, description: "becomes the journal's error_type" },
    description: { type: "string" },
    match: { ...nonEmptyString, description: "JavaScript RegExp; named captures become fields" },
    flags: { type: "string", pattern: "^[imsu]*$", description: "JavaScript RegExp flags, only i, m, s, u" },
    exclude: { type: "array", items: nonEmptyString, description: "a hit of any of these cancels the match" },
    sources: { type: "array", minItems: 1, items: nonEmptyString, description: "default: every source" },
    severity: { enum: ["info", "warning", "critical"], default: "warning" },
    key: { type: "string", description: "correlation key template; default: rule id + all captures" },
    cooldown: { ...seconds, default: 60, description: "seconds a closed incident keeps its key" },
    threshold: {
      type: "object",
      additionalProperties: false,
      required: ["count", "within"],
      properties: {
        count: { type: "integer", minimum: 1 },
        within: { type: "number", exclusiveMinimum: 0, description: "seconds" },
      },
    },
    depends_on: { type: "array", items: ruleId },
    extract: { type: "array", items: nonEmptyString, description: "extra regexes whose named captures add fields" },
    actions: { type: "array", items: ACTION_SCHEMA },
    verify: VERIFY_SCHEMA,
    resolve_on: { ...nonEmptyString, description: "regex template; a later event matching it closes the incident" },
    retries: { type: "integer", minimum: 1, description: "attempts; default remediation.max_retries" },
    backoff: { type: "array", minItems: 1, items: seconds, description: "seconds between attempts" },
    notify: { enum: ["never", "on_failure", "always"], default: "on_failure" },
    notify_template: { type: "string" },
    max_reopen: { type: "integer", minimum: 0, default: 3, description: "reopenings per cooldown" },
  },
} as const;

/** A whole rule file. */
export const RULE_FILE_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://vigia.local/schemas/rule-file.json",
  title: "vigia rule file",
  type: "object",
  required: ["rules"],
  additionalProperties: false,
  properties: {
    rules: { type: "array", items: RULE_SCHEMA },
  },
} as const;
