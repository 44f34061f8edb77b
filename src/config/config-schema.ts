import {
  BOT_API_DEFAULTS,
  DEFAULTS,
  EXEC_CHECK_DEFAULTS,
  HTTP_CHECK_DEFAULTS,
  MULTILINE_DEFAULTS,
  PROCESS_CHECK_DEFAULTS,
  SOURCE_DEFAULTS,
  SUPERVISE_DEFAULTS,
} from "./defaults.js";
import { STATUS_TOKEN_MIN_LENGTH } from "./parse-listen-address.js";
import { LOG_LEVELS } from "../observe/log-level.js";

/**
 * JSON Schema of `vigia.config.yaml` / `.json`, validated with ajv after `${VAR}` expansion.
 * Every object rejects unknown keys (`additionalProperties: false`) except the free-form maps
 * (`headers`, `env`, `expect_json`). Durations are seconds, sizes are named with their unit.
 * Checks the schema cannot express (regexes compile, URLs parse, names unique) live in `normalize-config.ts`.
 */

const show = (value: unknown): string => JSON.stringify(value);

const seconds = (what: string, fallback?: number) =>
  ({
    type: "number",
    exclusiveMinimum: 0,
    description: `${what}, in seconds (fractions allowed).${fallback === undefined ? "" : ` Default ${fallback}.`}`,
  }) as const;

const nonEmptyString = (description: string) => ({ type: "string", minLength: 1, description }) as const;

const argv = (description: string) =>
  ({
    type: "array",
    minItems: 1,
    items: { type: "string", minLength: 1 },
    description: `${description} An argv array: no shell, each item one argument.`,
  }) as const;

const stringMap = (description: string) =>
  ({ type: "object", additionalProperties: { type: "string" }, description }) as const;

const name = {
  type: "string",
  pattern: "^[A-Za-z0-9_.-]+$",
  description: "Identifier: letters, digits, `_`, `.`, `-`.",
} as const;

const sourceSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "path"],
  properties: {
    name: { ...name, description: "Source name; becomes the incident's `fuente` and is what rules' `sources` refer to." },
    path: nonEmptyString(
      "File to follow, relative to the config's folder; may not exist yet; followed across rotation. A glob " +
        "(`logs/*.log`, `logs/**/*.log`) follows every matching file, each with its own checkpoint, files created later too.",
    ),
    multiline: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["start"],
      description:
        "Multi-line events: a line matching `start` begins a new event, other lines join the one before (tracebacks). " +
        "Without it every line is an event; a source without it whose lines hold a Python traceback is told about once in monitor.log.",
      properties: {
        start: nonEmptyString("JavaScript RegExp that marks the first line of an event."),
        flush_ms: {
          type: "integer",
          minimum: 0,
          description: `Idle time after which a pending event is emitted, in milliseconds. Default ${MULTILINE_DEFAULTS.flush_ms}.`,
        },
      },
    },
    max_line_bytes: {
      type: "integer",
      minimum: 64,
      maximum: 16_777_216,
      description: `Longest line kept, in bytes; longer lines are cut and counted. Default ${SOURCE_DEFAULTS.max_line_bytes}.`,
    },
    start_at: {
      enum: ["end", "beginning"],
      description: `Where to start on a file seen for the first time (no checkpoint). Default ${show(SOURCE_DEFAULTS.start_at)}.`,
    },
  },
} as const;

const remediationSchema = {
  type: "object",
  additionalProperties: false,
  description: "How incidents are remediated.",
  properties: {
    allowed_roots: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description: `Folders file actions may touch (relative to the config's folder); anything outside is refused. Default ${show(DEFAULTS.remediation.allowed_roots)}.`,
    },
    max_retries: {
      type: "integer",
      minimum: 0,
      maximum: 100,
      description: `Retries after the fix itself, each after the next backoff delay (0 = the fix only, no retry). Env MAX_RETRIES overrides. Default ${DEFAULTS.remediation.max_retries}.`,
    },
    backoff: {
      type: "array",
      minItems: 1,
      items: { type: "number", minimum: 0 },
      description: `Delays before retry 1, 2, 3…, in seconds; the last one repeats. Env BACKOFF_DELAYS="1,2,4" overrides. Default ${show(DEFAULTS.remediation.backoff)}.`,
    },
    action_timeout: seconds("Time an action may run before it is killed", DEFAULTS.remediation.action_timeout),
    concurrency: {
      type: "integer",
      minimum: 1,
      description: `Incidents remediated at once (never two for one key); a dry run plans at least 32 at once, as it executes nothing. Default ${DEFAULTS.remediation.concurrency}.`,
    },
    owner: {
      type: ["string", "null"],
      pattern: "^[^:\\s]+(:[^:\\s]+)?$",
      description: "chown target, `user[:group]` or `uid[:gid]`. Default null: the owner of the allowed root that contains the path.",
    },
    sudo: { type: "boolean", description: "Run chown through `sudo -n` (never waits for a password). Default false." },
    quarantine_dir: {
      type: ["string", "null"],
      minLength: 1,
      description: "Folder cleanup moves files into instead of deleting them. Default null (delete).",
    },
    dry_run: { type: "boolean", description: "Log and journal what would be done, touch nothing. Default false." },
    max_reopen: {
      type: "integer",
      minimum: 0,
      description: `Times a fixed incident whose fix no longer holds may reopen within its cooldown. Default ${DEFAULTS.remediation.max_reopen}.`,
    },
  },
} as const;

const notifySchema = {
  type: "object",
  additionalProperties: false,
  description: "Where alerts go.",
  properties: {
    telegram: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "Telegram alerts (sent only: vigia never reads the download bot's updates; see commands_token). null = off. An empty token (e.g. an unset `${TELEGRAM_TOKEN}`) also means off.",
      properties: {
        token: { type: "string", description: "Bot token. Default: env TELEGRAM_TOKEN. Secret: never logged." },
        chat_id: { type: ["string", "integer"], description: "Chat that receives alerts (the admin). Default: env ADMIN_ID." },
        api_root: {
          type: ["string", "null"],
          description:
            "Bot API server URL (a local Bot API or a test server). Default null (cloud API), or TELEGRAM_BOT_API_LOCAL_URL when USE_LOCAL_BOT_API=true. A written api_root is the only server used (never replaced by the cloud API); the one implied by USE_LOCAL_BOT_API falls back to the cloud while unreachable.",
        },
        commands_token: {
          type: ["string", "null"],
          description:
            "Token of a second bot, vigia's own, for the admin's commands (/estado, /incidente, /silenciar, /activar, /reintentar, /informe, /desconocidos) and the buttons under alerts: vigia long-polls its getUpdates (never the download bot's, whose updates are its own) and answers only chat_id (ADMIN_ID). Alerts then come from this bot; the admin writes /start to it once. Default null (send-only). Secret.",
        },
      },
    },
    webhook: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["url"],
      description: "Incidents POSTed as JSON. Default null (off).",
      properties: {
        url: nonEmptyString("http(s) URL to POST to. Treated as a secret in logs."),
        headers: stringMap("Extra request headers (e.g. Authorization). Values are secrets in logs."),
      },
    },
    email: {
      type: ["object", "null"],
      additionalProperties: false,
      description:
        "Alerts also by email (SMTP), with the same policies and flood control as Telegram; an update of an incident is mailed as a reply in its thread. Default null (off), or built from the seed's SMTP_SERVER, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD and EMAIL_RECIPIENT when SMTP_SERVER and EMAIL_RECIPIENT are set.",
      properties: {
        host: nonEmptyString("SMTP server host. Default: env SMTP_SERVER."),
        port: { type: "integer", minimum: 1, maximum: 65535, description: "SMTP port. Default: env SMTP_PORT, else 587." },
        secure: {
          type: "boolean",
          description:
            "TLS from the first byte (port 465). Default: true on port 465, else false (STARTTLS; required when a password is sent to another machine).",
        },
        user: { type: ["string", "null"], description: "SMTP login. Default: env SMTP_USERNAME; none = no authentication." },
        password: { type: ["string", "null"], description: "SMTP password. Default: env SMTP_PASSWORD. Secret: never logged." },
        from: nonEmptyString("Sender address. Default: the login when it is an address, else vigia@<host>."),
        to: {
          type: ["string", "array"],
          minLength: 1,
          minItems: 1,
          items: { type: "string", minLength: 1 },
          description: "Recipient address, or a list (a comma-separated string works too). Default: env EMAIL_RECIPIENT.",
        },
      },
    },
    heartbeat: {
      type: ["object", "null"],
      additionalProperties: false,
      description:
        "A dead man's switch: vigia calls this URL (healthchecks.io, Uptime Kuma push) every `every` seconds while it is healthy, and stops calling while its pipeline is stuck or the journal cannot be written, so the service alerts when vigia itself is dead. Default null (off), or env HEARTBEAT_URL.",
      properties: {
        url: nonEmptyString("http(s) URL to call. Default: env HEARTBEAT_URL. Treated as a secret in logs (it identifies the check)."),
        every: {
          type: "number",
          minimum: 1,
          description: `Time between calls, in seconds. Default ${DEFAULTS.notify.heartbeat_every}.`,
        },
        stuck_after: {
          type: "number",
          minimum: 1,
          description:
            "Seconds a pipeline stage (read, group, match, fold, journal) may hold waiting work without handing any on before it counts as stuck: " +
            `calls stop and /health says which stage. Default ${DEFAULTS.notify.heartbeat_stuck_after}, or two intervals when \`every\` is longer.`,
        },
        method: {
          enum: ["GET", "POST"],
          description:
            "GET (a plain ping), or POST with a JSON summary (`status`, `incidents_open`, per-source lag; nothing secret). Default GET.",
        },
      },
    },
    max_per_minute: {
      type: "integer",
      minimum: 1,
      description: `Messages sent per minute at most; beyond that alerts are grouped in digests. Default ${DEFAULTS.notify.max_per_minute}.`,
    },
    new_error_after: {
      type: "integer",
      minimum: 1,
      description: `An ERROR or traceback no rule claims alerts once its template is seen this many times within new_error_within. Default ${DEFAULTS.notify.new_error_after}.`,
    },
    new_error_within: {
      type: "number",
      exclusiveMinimum: 0,
      description: `Seconds of the new_error_after window. Default ${DEFAULTS.notify.new_error_within}.`,
    },
  },
} as const;

const httpCheckSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "url"],
  properties: {
    name: { ...name, description: "Check name (`http:<name>`)." },
    url: nonEmptyString("http(s) URL to request."),
    method: {
      enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      description: `HTTP method. Default ${show(HTTP_CHECK_DEFAULTS.method)}.`,
    },
    headers: stringMap("Request headers. Values are secrets in logs."),
    timeout: seconds("Time to wait for the answer", HTTP_CHECK_DEFAULTS.timeout),
    expect_status: {
      type: ["integer", "array"],
      minimum: 100,
      maximum: 599,
      minItems: 1,
      items: { type: "integer", minimum: 100, maximum: 599 },
      description: "Accepted HTTP status(es). Default: any 2xx.",
    },
    expect_json: {
      type: "object",
      description: "Key/values the JSON body must contain (subset match), e.g. `{status: ok}`. Default: body not checked.",
    },
    failure_threshold: {
      type: "integer",
      minimum: 1,
      description: `Consecutive failures that open an incident. Default ${HTTP_CHECK_DEFAULTS.failure_threshold}.`,
    },
  },
} as const;

const processCheckSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  description: "A process that must be alive: give exactly one of `pidfile` and `pattern`.",
  properties: {
    name: { ...name, description: "Check name (`process:<name>`)." },
    pidfile: nonEmptyString("File holding the process id, relative to the config's folder."),
    pattern: nonEmptyString("JavaScript RegExp matched against each process's full command line, like `pgrep -f` (e.g. `main\\.py`)."),
    restart: argv(
      "Command that starts the process again when it is gone, run by the check itself, detached: its own session, never killed by vigia, so it outlives the incident and vigia. It must start the process itself (not a wrapper that exits); with `pidfile`, vigia writes the new pid there. Default: none (alert only).",
    ),
    restart_log: nonEmptyString(
      "File the restarted process's stdout and stderr are appended to, relative to the config's folder. Default: the path of the source named like the check, else `<log_dir>/<name>.log`.",
    ),
    restart_cwd: nonEmptyString("Working folder of the restarted process, relative to the config's folder. Default: the config's folder."),
    max_restarts: {
      type: "integer",
      minimum: 0,
      description: `Restarts allowed within restart_window. Default ${PROCESS_CHECK_DEFAULTS.max_restarts}.`,
    },
    restart_window: seconds("Window max_restarts counts in", PROCESS_CHECK_DEFAULTS.restart_window),
    timeout: seconds("Time one liveness probe may take", PROCESS_CHECK_DEFAULTS.timeout),
  },
} as const;

const checksSchema = {
  type: "object",
  additionalProperties: false,
  description: "Periodic checks for failures that never reach a log line.",
  properties: {
    interval: seconds("Time between check cycles (env VERIFICACION_PERIODICA overrides it)", DEFAULTS.checks.interval),
    disk: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "Free-space check. null = off.",
      properties: {
        paths: {
          type: "array",
          minItems: 1,
          items: { type: "string", minLength: 1 },
          description: `Paths whose filesystems are checked, relative to the config's folder. Default ${show(DEFAULTS.checks.disk.paths)}.`,
        },
        warn_gb: {
          type: "number",
          minimum: 0,
          description: `Free space below this is a warning, in GB of 2^30 bytes (GiB, as df -h shows them); above it again the incident closes. Default ${DEFAULTS.checks.disk.warn_gb}.`,
        },
        critical_gb: {
          type: "number",
          minimum: 0,
          description: `Free space below this is critical (disco_lleno), in GB of 2^30 bytes (GiB, as df -h shows them). Default ${DEFAULTS.checks.disk.critical_gb}.`,
        },
        timeout: seconds("Time one free-space query may take", DEFAULTS.checks.disk.timeout),
        stop_supervised: {
          type: "boolean",
          description: `The seed's "Disco lleno: detiene y marca crítico": while a disk check is critical, \`vigia supervise\` stops its commands (SIGTERM, SIGKILL 10 s later) and starts them again once the check sees more than warn_gb free; false = alert only. Default ${DEFAULTS.checks.disk.stop_supervised}.`,
        },
      },
    },
    bot_api: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "Probe of the local Telegram Bot API server. On when configured or USE_LOCAL_BOT_API=true; USE_LOCAL_BOT_API=false turns it off.",
      properties: {
        enabled: {
          type: "boolean",
          description: "false turns the check off while keeping its settings (USE_LOCAL_BOT_API still overrides). Default true.",
        },
        url: {
          type: "string",
          description: `The local Bot API server: probed by the check, and \`{config.bot_api_url}\` in rules (servidor_caido's verify). Up = any HTTP answer below 500 (telegram-bot-api answers 404 on /). Empty = env TELEGRAM_BOT_API_LOCAL_URL, else the default. Default ${show(BOT_API_DEFAULTS.url)}.`,
        },
        health_url: {
          type: "string",
          minLength: 1,
          description: "A health endpoint of the server (a proxy's /health…): when set, up = a 2xx/3xx answer from it, for the check and for `{config.bot_api_health_url}` in rules. Default: none.",
        },
        attempts: {
          type: "integer",
          minimum: 1,
          description: `Consecutive failures that open servidor_caido. Default ${BOT_API_DEFAULTS.attempts}.`,
        },
        every: seconds("Time between probes", BOT_API_DEFAULTS.every),
        timeout: seconds("Time to wait for one probe", BOT_API_DEFAULTS.timeout),
      },
    },
    http: { type: "array", items: httpCheckSchema, description: "HTTP services to probe (e.g. the backend's /health)." },
    process: { type: "array", items: processCheckSchema, description: "Processes that must be alive (e.g. main.py)." },
    silence: {
      type: "array",
      description: "Sources that must keep writing (a hung bot writes nothing at all).",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["source", "max_quiet"],
        properties: {
          source: { ...name, description: "A source (or supervised command) name." },
          max_quiet: seconds("Longest time without a line before log_silencioso"),
          process: {
            ...name,
            description: "A process check whose liveness gates the alert (quiet and dead is proceso_caido's job). Default: the process check named like the source, if any.",
          },
        },
      },
    },
    exec: {
      type: "array",
      description: "Any command as a check: exit 0 = healthy.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "command"],
        properties: {
          name: { ...name, description: "Check name (`exec:<name>`)." },
          command: argv("Command to run."),
          timeout: seconds("Time the command may run before it is killed and counted as failed", EXEC_CHECK_DEFAULTS.timeout),
          expect_output: nonEmptyString("JavaScript RegExp its stdout must match (e.g. `^true` for `docker inspect -f {{.State.Running}}`). Default: exit 0 is enough."),
          error_type: {
            type: "string",
            pattern: "^[A-Za-z0-9_]+$",
            description: "Rule id of the incident opened on failure. Default comando_fallido.",
          },
          severity: { enum: ["info", "warning", "critical"], description: "Severity of that incident. Default: the check's own (warning)." },
        },
      },
    },
    flap: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "A check that changes state more than `count` times within `within` is flapping: one alert, then quiet until stable. null = off.",
      properties: {
        count: {
          type: "integer",
          minimum: 1,
          description: `State changes that make a check flapping. Default ${DEFAULTS.checks.flap.count}.`,
        },
        within: seconds("Window the changes are counted in", DEFAULTS.checks.flap.within),
      },
    },
    history_days: {
      type: "integer",
      minimum: 0,
      description: `Days every check run (kind, target, ok, latency, reason) is kept under state_dir/checks/, for uptime and latency in the dashboard and \`vigia report\`; 0 = not kept. Default ${DEFAULTS.checks.history_days}.`,
    },
  },
} as const;

const superviseSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "command"],
  properties: {
    name: { ...name, description: "Source name the command's output feeds." },
    command: argv("Command to start (e.g. [python3, main.py])."),
    cwd: nonEmptyString("Working folder, relative to the config's folder. Default: the config's folder."),
    env: stringMap("Variables added to vigia's environment for the command. Values are masked in logs."),
    log: nonEmptyString("File the command's stdout/stderr are written to. Default `<log_dir>/<name>.log`."),
    restart: {
      enum: ["never", "on-failure", "always"],
      description: `Restart policy. Default ${show(SUPERVISE_DEFAULTS.restart)}.`,
    },
    max_restarts: {
      type: "integer",
      minimum: 0,
      description: `Restarts before giving up. Default ${SUPERVISE_DEFAULTS.max_restarts}.`,
    },
    restart_backoff: {
      type: "array",
      minItems: 1,
      items: { type: "number", minimum: 0 },
      description: `Delays before restarts, in seconds; the last one repeats. Default ${show(SUPERVISE_DEFAULTS.restart_backoff)}.`,
    },
  },
} as const;

export const CONFIG_SCHEMA = {
  $id: "https://vigia.local/config.schema.json",
  title: "vigia configuration",
  type: "object",
  additionalProperties: false,
  properties: {
    sources: {
      type: "array",
      items: sourceSchema,
      description: "Files to follow. Default: bot (logs/bot_central.log) and backend (logs/backend.log), both with the Python logging multiline start.",
    },
    rules: {
      type: ["string", "array"],
      minLength: 1,
      minItems: 1,
      items: { type: "string", minLength: 1 },
      description: `A folder of .yaml/.yml/.json rule files, or a list of files/folders, relative to the config's folder. Default ${show(DEFAULTS.rules)}.`,
    },
    journal: nonEmptyString(`Incident journal (JSON array). Default ${show(DEFAULTS.journal)}.`),
    journal_archive: {
      type: "object",
      additionalProperties: false,
      description:
        "When closed incidents leave the live journal for the monthly archives beside it (`descarga_errors-YYYY-MM.json`, " +
        "same element format; `jq -s add logs/descarga_errors*.json` reads them all). Open incidents never move.",
      properties: {
        keep_days: {
          type: "number",
          exclusiveMinimum: 0,
          description: `Days a closed incident stays in the live journal after it closed (fractions allowed). Default ${DEFAULTS.journal_archive.keep_days}.`,
        },
        max_bytes: {
          type: ["integer", "null"],
          minimum: 65536,
          description:
            "Size of the live journal in bytes past which its oldest closed incidents move to the archives early, down to about half " +
            `of it: every write rewrites the whole file, so this bounds a write's cost. null = no size bound. Default ${DEFAULTS.journal_archive.max_bytes} (8 MiB).`,
        },
      },
    },
    state_dir: nonEmptyString(`Checkpoints and other private state. Default ${show(DEFAULTS.state_dir)}.`),
    log_dir: nonEmptyString(`Folder of monitor.log (daily files, 7 kept). Default ${show(DEFAULTS.log_dir)}.`),
    log_level: {
      enum: [...LOG_LEVELS],
      description: `Console verbosity (monitor.log always keeps info and above). Default ${show(DEFAULTS.log_level)}.`,
    },
    match_budget_ms: {
      type: "integer",
      minimum: 1,
      description: `Longest one log event may spend in the rules, in ms; a rule that takes longer (a regex that backtracks without end) is disabled with an alert and the event goes on through the others. Default ${show(DEFAULTS.match_budget_ms)}.`,
    },
    remediation: remediationSchema,
    notify: notifySchema,
    checks: checksSchema,
    supervise: { type: "array", items: superviseSchema, description: "Commands `vigia supervise` starts and follows." },
    tailing: {
      type: "object",
      additionalProperties: false,
      description: "How the file tailers share the process's file descriptors.",
      properties: {
        max_open_files: {
          type: ["integer", "null"],
          minimum: 16,
          description:
            "Followed files held open at most; past it the least recently written ones are closed and reopened when they change. " +
            "Default null: half the open-file limit (ulimit -n), after 144 descriptors kept for the journal, the status server, checks and actions. " +
            "Too high for the limit is an error at start.",
        },
      },
    },
    status: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "vigia's own /health and /metrics server. null = off.",
      properties: {
        listen: {
          type: ["string", "integer", "null"],
          description: `host:port to listen on (\`[::1]:9464\` for IPv6, a bare port means 127.0.0.1, port 0 = any free port, null = off). Default ${show(DEFAULTS.status.listen)}; 0.0.0.0 only when written here.`,
        },
        token: {
          type: ["string", "null"],
          description: `Secret every request must carry (\`Authorization: Bearer <token>\`, or \`?token=\` once in the browser). Required, at least ${STATUS_TOKEN_MIN_LENGTH} characters, when listen is not a loopback address. Default null.`,
        },
      },
    },
  },
} as const;
