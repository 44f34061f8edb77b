/**
 * JSON Schema (draft-07, validated with ajv 8) of a rule file: `{ rules: [ … ] }`.
 *
 * It is the rule-file format of docs/rules.md as data. Every object rejects unknown keys,
 * so a typo (`exlude:`) is an error with its line, never a silently ignored option. Defaults are written
 * here as `default` annotations for readers and tools; they are applied once, by the compiler
 * (`RULE_DEFAULTS` in compile-rule.ts), not by ajv. Durations are in seconds here and become milliseconds
 * in the compiled rule.
 */

const ruleId = { type: "string", pattern: "^[a-z][a-z0-9_]*$" } as const;
const nonEmptyString = { type: "string", minLength: 1 } as const;
const seconds = { type: "number", minimum: 0 } as const;
const argv = { type: "array", minItems: 1, items: { type: "string" } } as const;
/** A path option: a template filled from the captures, then checked by the path guard. */
const path = (description: string) => ({ ...nonEmptyString, description: `${description} A template; must resolve inside remediation.allowed_roots.` }) as const;
const actionTimeout = { ...seconds, description: "Seconds before the action is killed. Default remediation.action_timeout (30)." } as const;
const httpTimeout = { ...seconds, description: "Seconds to wait for the answer. Default 5." } as const;

/** One action type's allowed keys (besides `type` and `timeout`) and which of them are required. */
const ACTION_SHAPES = {
  mkdir: {
    description: "Creates the folder and its parents, never through a symlink; as root, created folders go to remediation.owner (default: the owner of the allowed root) so the bot can write into them.",
    properties: {
      path: path("Folder to create (or, with parent, a file whose folder is created)."),
      parent: { type: "boolean", description: "path names a file: create the folder that holds it. Default false." },
      mode: { type: "string", pattern: "^0?[0-7]{3,4}$", description: "Mode of the created folders, octal, e.g. \"0755\". Default 0755 minus the umask." },
    },
    required: ["path"],
  },
  chown: {
    description: "Gives the path to owner, else remediation.owner, else the owner of the allowed root. A missing path (the bot could not create a file) chowns the deepest existing folder inside the roots. Never follows symlinks; refuses hard links. With remediation.sudo: `sudo -n chown -h`.",
    properties: {
      path: path("Path to give away."),
      recursive: { type: "boolean", description: "Also everything below a folder (symlinks and hard links skipped). Default false." },
      owner: { type: "string", pattern: "^[^:\\s]+(:[^:\\s]+)?$", description: "\"user:group\" (names or ids). Default: remediation.owner, else the owner of the allowed root." },
    },
    required: ["path"],
  },
  cleanup: {
    description: "Removes a corrupt file: deletes it, or moves it to remediation.quarantine_dir as `<UTC time>-<name>`. Regular files only, never through a symlink; a file modified after the incident was detected (the new download) is left alone. Runs once per incident.",
    properties: { path: path("The file to remove.") },
    required: ["path"],
  },
  prune: {
    description: "Deletes matching regular files below dir older than older_than_days, oldest first, until target_free_gb GiB are free; fails (and is retried) while the target is not met.",
    properties: {
      dir: path("Folder to prune."),
      glob: { ...nonEmptyString, description: "File names to consider (`*`, `?`), e.g. `*.mp4`." },
      older_than_days: { type: "number", minimum: 0, description: "Only files last modified more than this many days ago." },
      target_free_gb: { type: "number", exclusiveMinimum: 0, description: "Free space to reach on dir's filesystem, in GiB." },
    },
    required: ["dir", "glob", "older_than_days", "target_free_gb"],
  },
  exec: {
    description: "Runs a command without a shell; non-zero exit = failed attempt. Killed at its timeout (SIGTERM to its process group, SIGKILL 2 s later). A captured value beginning with `-` is refused; a path-like one must pass the path guard. The last 4 KiB of each output stream are kept; the last stdout line goes into `detalle`.",
    properties: {
      command: { ...argv, description: "argv list; each item is one argument whatever a capture holds; the program (first item) must be literal." },
      cwd: { ...nonEmptyString, description: "Working folder. Default: the config's folder." },
      env: { type: "object", additionalProperties: { type: "string" }, description: "Variables added to vigia's environment: the safest place for a captured value." },
    },
    required: ["command"],
  },
  wait: { description: "Does nothing: the backoff before the next attempt is the remedy (conditions that clear by themselves).", properties: {}, required: [] },
} as const;

/** One verification type's allowed keys (besides `type`) and which of them are required. */
const VERIFY_SHAPES = {
  path_exists: { description: "Passes when the path exists.", properties: { path: path("Path to look at.") }, required: ["path"] },
  path_writable: {
    description: "Passes when user can write the path, or create it if missing: judged from owner and mode bits along the path (as root, access(2) says yes to everything); ACLs are not considered.",
    properties: {
      path: path("Path to judge."),
      user: { ...nonEmptyString, description: "User (name or uid) to judge for. Default: remediation.owner, else the owner of the allowed root." },
    },
    required: ["path"],
  },
  file_absent: { description: "Passes when nothing is at the path.", properties: { path: path("Path that must be gone.") }, required: ["path"] },
  file_min_size: {
    description: "Passes when the path is a regular file of at least bytes.",
    properties: { path: path("File to measure."), bytes: { type: "integer", minimum: 0, description: "Smallest size accepted, in bytes." } },
    required: ["path", "bytes"],
  },
  http_ok: {
    description: "Passes when a GET answers 2xx or 3xx (redirects not followed).",
    properties: { url: { ...nonEmptyString, description: "URL to request (a template; `{config.…}` values allowed)." }, timeout: httpTimeout },
    required: ["url"],
  },
  http_up: {
    description: "Passes when the server answers HTTP at all (any status below 500); with a non-empty health_url, when that URL answers 2xx/3xx. The bot_api check's judgement.",
    properties: {
      url: { ...nonEmptyString, description: "Server to probe (e.g. `{config.bot_api_url}`)." },
      health_url: { type: "string", description: "A health endpoint judged strictly instead (e.g. `{config.bot_api_health_url}`); empty = none." },
      timeout: httpTimeout,
    },
    required: ["url"],
  },
  disk_free: {
    description: "Passes when the filesystem holding path (its nearest existing folder) has at least min_gb GiB free. Read-only: any folder may be measured, not only the roots.",
    properties: {
      path: { ...nonEmptyString, description: "Path whose filesystem is measured." },
      fallback_path: { ...nonEmptyString, description: "Path measured when the line named none. Default: none." },
      min_gb: {
        anyOf: [{ type: "number", minimum: 0 }, { type: "string", pattern: "^\\{config\\.[a-z_]+\\}$" }],
        description: "Free space required, in GiB, or a config value such as `'{config.disk_warn_gb}'`.",
      },
    },
    required: ["path", "min_gb"],
  },
  exec_ok: {
    description: "Passes when the command exits 0 within its timeout. No shell; captured values are confined as for exec.",
    properties: {
      command: { ...argv, description: "argv list; the program (first item) must be literal." },
      timeout: { ...seconds, description: "Seconds before the command is killed. Default remediation.action_timeout (30)." },
    },
    required: ["command"],
  },
} as const;

export const ACTION_TYPES = Object.keys(ACTION_SHAPES) as Array<keyof typeof ACTION_SHAPES>;
export const VERIFY_TYPES = Object.keys(VERIFY_SHAPES) as Array<keyof typeof VERIFY_SHAPES>;

/**
 * A `type`-discriminated object as `if/then` pairs rather than `oneOf`: ajv then reports only the errors
 * of the branch the `type` selects (an unknown key of a `mkdir`), not one failure per alternative.
 */
function buildTaggedUnion(
  shapes: Record<string, { description?: string; properties: Record<string, unknown>; required: readonly string[] }>,
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
        ...(shapes[t]!.description ? { description: shapes[t]!.description } : {}),
        type: "object",
        properties: { type: { const: t }, ...common, ...shapes[t]!.properties },
        required: [...shapes[t]!.required],
        additionalProperties: false,
      },
    })),
  };
}

export const ACTION_SCHEMA = buildTaggedUnion(ACTION_SHAPES, { timeout: actionTimeout });
export const VERIFY_SCHEMA = buildTaggedUnion(VERIFY_SHAPES, {});

/** One rule: the keys of the contract, nothing else. */
export const RULE_SCHEMA = {
  type: "object",
  required: ["id", "match"],
  additionalProperties: false,
  properties: {
    id: { ...ruleId, description: "Rule id (lowercase letters, digits, `_`); becomes the journal's error_type. Unique across all rule files." },
    description: { type: "string", description: "What the rule catches, for people." },
    match: { ...nonEmptyString, description: "JavaScript RegExp run over the whole event (a traceback is one event); named captures `(?<path>…)` become fields." },
    flags: { type: "string", pattern: "^[imsu]*$", description: "JavaScript RegExp flags for every regex of the rule: only i, m, s, u. Default none." },
    exclude: { type: "array", items: nonEmptyString, description: "Regexes; a hit of any of them cancels the match (e.g. `\\bDEBUG\\b`)." },
    sources: { type: "array", minItems: 1, items: nonEmptyString, description: "Source names the rule applies to. Default: every source." },
    severity: { enum: ["info", "warning", "critical"], default: "warning", description: "The incident's severidad; critical is always notified." },
    key: { type: "string", description: "Correlation key template (`{path}`): matches with one key fold into one incident. Default: rule id + all captures." },
    cooldown: { ...seconds, default: 60, description: "Seconds a closed incident keeps its key: repeats within it fold into it." },
    threshold: {
      type: "object",
      additionalProperties: false,
      required: ["count", "within"],
      description: "Act only after count matches of one key within `within` seconds (fail2ban's maxretry/findtime). Default: the first match.",
      properties: {
        count: { type: "integer", minimum: 1, description: "Matches needed." },
        within: { type: "number", exclusiveMinimum: 0, description: "Window the matches are counted in, in seconds." },
      },
    },
    depends_on: { type: "array", items: ruleId, description: "Rule ids of root causes: while an incident of one of them is open, this one waits in `pendiente`." },
    extract: { type: "array", items: nonEmptyString, description: "Extra regexes run over the event whose named captures add fields (`modelo`, `video` fill the journal fields of the same name)." },
    actions: { type: "array", items: ACTION_SCHEMA, description: "Remediation steps run in order at each attempt (see the action types below). Default none: alert only." },
    verify: { ...VERIFY_SCHEMA, description: "Check run after the actions: passing makes the incident `solucionado` (see the verification types below)." },
    resolve_on: { ...nonEmptyString, description: "Regex template (`Descarga exitosa.*{video}`): a later event matching it closes the incident as `solucionado`." },
    retries: { type: "integer", minimum: 1, description: "Retries after the fix itself. Default remediation.max_retries (env MAX_RETRIES, 3)." },
    backoff: { type: "array", minItems: 1, items: seconds, description: "Delays before retry 1, 2, 3…, in seconds; the last one repeats. Default remediation.backoff ([1, 2, 4])." },
    notify: { enum: ["never", "on_failure", "always"], default: "on_failure", description: "When the admin is told: never, when it ends `fallido`, or at every change (one message, edited)." },
    notify_template: { type: "string", description: "Message text with `{campo}` placeholders (captures, journal fields, `{deteccion}`, `{progreso}`, `{hora}`, `{motivo}`). Default: the built-in message." },
    max_reopen: { type: "integer", minimum: 0, default: 3, description: "Meant as this rule's limit of reopenings per cooldown; not applied yet: every rule gets remediation.max_reopen." },
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
