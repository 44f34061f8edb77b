import { OFFLINE_REDOS_TIMEOUT_MS } from "../rules/check-regex-safety.js";

/**
 * Every sub-command of `vigia` as data: its arguments, flags (with their defaults) and exit codes. The argument
 * parser (`main.ts`), each command's `--help` and the generated docs/cli.md all read this one table, so a flag
 * cannot exist in one of them and be missing from another.
 */

/** One `--flag` of a command. */
interface FlagSpec {
  /** Long name, without the dashes. */
  readonly name: string;
  readonly short?: string;
  /** `string` flags take a value, written as `value` in the usage line. */
  readonly type: "boolean" | "string";
  readonly value?: string;
  /** What happens when the flag is not given, in words; absent for switches that are simply off. */
  readonly default?: string;
  readonly description: string;
}

/** One process exit code of a command and what it means. */
export interface ExitCodeSpec {
  readonly code: number;
  readonly meaning: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line, for `vigia --help`. */
  readonly summary: string;
  /** Positional arguments as they appear in the usage line (`LOGFILE`, `[JOURNAL]`), or "" for none. */
  readonly args: string;
  /** Whether the parser accepts positional arguments. */
  readonly positionals: boolean;
  /** A paragraph for `vigia COMMAND --help` and docs/cli.md. */
  readonly details: string;
  readonly flags: readonly FlagSpec[];
  /** Exit codes specific to the command; {@link USAGE_EXIT_CODE} applies to every command and is added by the printers. */
  readonly exitCodes: readonly ExitCodeSpec[];
}

/** A usage error (unknown flag, missing value, bad argument): the message and the usage line on stderr. */
const USAGE_EXIT_CODE: ExitCodeSpec = { code: 2, meaning: "usage error: unknown flag, missing or bad value (printed with the usage line)" };

const CONFIG_FLAG: FlagSpec = {
  name: "config",
  short: "c",
  type: "string",
  value: "FILE",
  default: "env VIGIA_CONFIG, else vigia.config.yaml / .yml / .json in the working folder, else the built-in defaults",
  description: "The configuration file.",
};

const LOG_LEVEL_FLAGS: readonly FlagSpec[] = [
  {
    name: "log-level",
    type: "string",
    value: "LEVEL",
    default: "the config's log_level (info)",
    description: "Console verbosity: error, warn, info, verbose or debug (monitor.log always keeps info and above).",
  },
  { name: "verbose", short: "v", type: "boolean", description: "Same as --log-level debug." },
  { name: "quiet", short: "q", type: "boolean", description: "Same as --log-level warn." },
];

const RULES_FLAG: FlagSpec = {
  name: "rules",
  type: "string",
  value: "PATH",
  default: "the config's rules",
  description: "A rule file or folder used instead of the config's rules.",
};

const JSON_FLAG = (what: string): FlagSpec => ({ name: "json", type: "boolean", description: `Print ${what} as JSON.` });

export const CLI_COMMANDS: readonly CommandSpec[] = [
  {
    name: "run",
    summary: "the daemon: tail, match, remediate, journal, notify, check",
    args: "",
    positionals: false,
    details:
      "Follows the configured sources, matches every event against the rules, remediates, writes the journal, " +
      "alerts and runs the periodic checks. Starts with a banner (config, sources, rules per file, journal, channels, " +
      "checks, dry-run). SIGINT/SIGTERM stop it gracefully (events, journal and checkpoints flushed, session summary " +
      "printed and sent; during a catch-up, the lines waiting for a remediation and those behind them are left behind " +
      "the checkpoints, for the next start, and so is the unread rest of a backlog still being read); a second Ctrl+C " +
      "stops at once after a synchronous flush.",
    flags: [
      CONFIG_FLAG,
      { name: "dry-run", type: "boolean", description: "Plan and journal actions without running them (as remediation.dry_run: true)." },
      {
        name: "from-start",
        type: "boolean",
        default: "a file seen for the first time is read from its end (sources[].start_at)",
        description: "Read files without a checkpoint from their first byte.",
      },
      ...LOG_LEVEL_FLAGS,
      { name: "stdin", type: "boolean", description: "Also read lines from standard input as the source --source; stop at its end, once the remediations it started have ended (Ctrl+C stops without waiting)." },
      {
        name: "source",
        type: "string",
        value: "NAME",
        default: "the config's first source (bot)",
        description: "With --stdin: the source standard input feeds (its multiline setting, its name in the journal).",
      },
    ],
    exitCodes: [
      { code: 0, meaning: "stopped cleanly" },
      { code: 1, meaning: "invalid configuration, failed start, or the journal could not be written at stop" },
      { code: 130, meaning: "a second SIGINT/SIGTERM during the stop" },
    ],
  },
  {
    name: "check",
    summary: "validate the config and every rule file (file:line: field: message)",
    args: "",
    positionals: false,
    details:
      "Loads the configuration and every rule file as `vigia run` would and prints each problem as " +
      "`file:line: field: message`, or one `ok:` line.",
    flags: [
      CONFIG_FLAG,
      RULES_FLAG,
      { name: "samples", type: "boolean", description: "Also run every rule over its annotated sample log (rules/samples/<id>.log)." },
    ],
    exitCodes: [
      { code: 0, meaning: "valid" },
      { code: 1, meaning: "at least one problem" },
    ],
  },
  {
    name: "test-rules",
    summary: "run the rules over a log file, no actions (like fail2ban-regex)",
    args: "LOGFILE",
    positionals: true,
    details:
      "Groups the file's lines into events with the `multiline` setting of the source, runs the rules and prints the " +
      "hits per rule, sample matches with their fields, the unmatched events and the speed. Nothing is journaled or " +
      "executed. `--json` prints `{lines, events, counts: {ruleId: n}, matches: [{line, rule, fields}]}`, where `line` " +
      "is the 1-based number of the event's first line. A source without `multiline` whose file holds a Python traceback " +
      "is told about on stderr, with the setting to add. A pipe is read to its end: " +
      "`zcat logs/bot.log.2.gz | vigia test-rules /dev/stdin`.",
    flags: [
      CONFIG_FLAG,
      {
        name: "source",
        type: "string",
        value: "NAME",
        default: "the config's first source (bot without a config)",
        description: "The source whose multiline setting groups the lines.",
      },
      RULES_FLAG,
      JSON_FLAG("the counts and matches"),
    ],
    exitCodes: [
      { code: 0, meaning: "the file was read (whatever matched)" },
      { code: 1, meaning: "unreadable file, invalid configuration or rules" },
    ],
  },
  {
    name: "suggest-rules",
    summary: "a YAML rule stub (with its samples) for each error template no rule claims",
    args: "[LOGFILE…]",
    positionals: true,
    details:
      "For each ERROR record or traceback template no rule claims, prints a rule stub (anchored, ReDoS-checked " +
      "regex with named captures) and writes its annotated samples to `<rules>/samples/<id>.log` (an existing file " +
      "is left alone). Without files, the templates come from `desconocidos.json` beside the journal.",
    flags: [
      CONFIG_FLAG,
      JSON_FLAG("the stubs (`{stubs: [{id, rule, plantilla, total, sample_file}], skipped: [{plantilla, reason}]}`)"),
      {
        name: "redos-timeout",
        type: "string",
        value: "SECONDS",
        default: String(OFFLINE_REDOS_TIMEOUT_MS / 1000),
        description:
          "Time the ReDoS check may spend on each regex. Only a regex found safe becomes a stub: one it cannot decide " +
          "within this time gets none, and the output says so (0: only regexes already judged safe by an earlier check).",
      },
    ],
    exitCodes: [
      { code: 0, meaning: "done (also when there is nothing to suggest)" },
      { code: 1, meaning: "invalid configuration or rules, unreadable file" },
    ],
  },
  {
    name: "report",
    summary: "summary of a journal: error_type × estado, fix rate, time to fix, timeline, checks, recommendations",
    args: "[JOURNAL]",
    positionals: true,
    details:
      "Summarises a journal in Spanish: totals, error_type × estado, auto-fix rate, mean and median time to " +
      "`solucionado`, slowest fixes, top keys, timeline, error/warning lines per source log, check uptime and latency, " +
      "recommendations. JOURNAL defaults to the config's journal; with a JOURNAL the config is optional.",
    flags: [
      CONFIG_FLAG,
      JSON_FLAG("the report"),
      {
        name: "all",
        type: "boolean",
        description: "Also read the journal's monthly archives (descarga_errors-YYYY-MM.json beside it): the whole history.",
      },
      {
        name: "since",
        type: "string",
        value: "WHEN",
        default: "the whole live journal",
        description:
          "Only incidents detected since WHEN: a duration back from now (45s, 30m, 2h, 1d) or a local date or time " +
          "(2025-12-01, 2025-12-01T08:00). The archives that can hold such incidents are read too.",
      },
      { name: "html", type: "string", value: "FILE", description: "Also write the report as one self-contained HTML page with charts." },
      {
        name: "save",
        type: "boolean",
        description: "Also write analysis_YYYYMMDD_HHMMSS.txt (and .html with --html) in the log folder.",
      },
    ],
    exitCodes: [
      { code: 0, meaning: "report printed" },
      { code: 1, meaning: "unreadable or invalid journal, invalid configuration, report not writable" },
    ],
  },
  {
    name: "supervise",
    summary: "start CMD and vigia together; CMD's output is logged and matched",
    args: "-- CMD ARGS…",
    positionals: true,
    details:
      "Starts the daemon, then CMD (or the config's `supervise:` commands when no CMD is given). CMD's stdout and " +
      "stderr are appended to its log file and fed straight into the pipeline. SIGINT/SIGTERM are forwarded to the " +
      "children (SIGKILL after 10 s), then vigia stops gracefully. When CMD exits, vigia stops too, once the remediations its output asked for have ended (a signal stops without waiting).",
    flags: [
      CONFIG_FLAG,
      {
        name: "name",
        type: "string",
        value: "NAME",
        default: "the config's first source (bot)",
        description: "The source name CMD's output feeds.",
      },
      {
        name: "log",
        type: "string",
        value: "FILE",
        default: "the path of the source NAME, else <log_dir>/NAME.log",
        description: "The file CMD's output is appended to.",
      },
      { name: "dry-run", type: "boolean", description: "Plan and journal actions without running them (as remediation.dry_run: true)." },
      ...LOG_LEVEL_FLAGS,
    ],
    exitCodes: [
      { code: 0, meaning: "CMD exited with 0 (otherwise: CMD's exit code)" },
      { code: 1, meaning: "invalid configuration or failed start" },
      { code: 130, meaning: "SIGINT before anything was started (143 for SIGTERM)" },
    ],
  },
  {
    name: "status",
    summary: "ask a running vigia's /health and print it",
    args: "",
    positionals: false,
    details:
      "Prints a running vigia's `/health` as a table; a `degraded` status says why. The address and token come from " +
      "the config's `status` (or --url and env VIGIA_STATUS_TOKEN).",
    flags: [
      CONFIG_FLAG,
      {
        name: "url",
        type: "string",
        value: "URL",
        default: "the config's status.listen (http://127.0.0.1:9464)",
        description: "Base URL (or /health URL) of the running vigia.",
      },
      JSON_FLAG("/health's answer"),
    ],
    exitCodes: [
      { code: 0, meaning: "up" },
      { code: 1, meaning: "down, unreachable, or status.listen is off" },
    ],
  },
  {
    name: "notify-test",
    summary: "send one test message through every configured channel",
    args: "",
    positionals: false,
    details: "Sends one test message through every configured channel at once and prints each outcome; gives up after --timeout with the last failure.",
    flags: [
      CONFIG_FLAG,
      { name: "timeout", type: "string", value: "SECONDS", default: "15", description: "How long to try before giving up." },
    ],
    exitCodes: [
      { code: 0, meaning: "sent on every channel" },
      { code: 1, meaning: "a channel failed, or none is configured" },
    ],
  },
  {
    name: "demo",
    summary: "replay fixtures/ through the real engine in a temp folder and show the incidents",
    args: "",
    positionals: false,
    details:
      "Copies the shipped rules into a temporary folder, replays fixtures/bot_central.log and fixtures/backend.log " +
      "through the real engine (remediation included, short backoff) and prints every incident and a jq summary.",
    flags: [
      { name: "keep", type: "boolean", default: "the temporary folder is deleted", description: "Keep the temporary folder and say where it is." },
      { name: "telegram", type: "boolean", description: "Send the alerts through grammY to a fake Bot API on 127.0.0.1 and print what it received." },
    ],
    exitCodes: [{ code: 0, meaning: "done" }],
  },
];

/** The command's spec by name, or undefined. */
export function findCommandSpec(name: string): CommandSpec | undefined {
  return CLI_COMMANDS.find((c) => c.name === name);
}

/** `--name VALUE` / `--name` as written in a usage line. */
function formatFlag(flag: FlagSpec): string {
  return flag.type === "string" ? `--${flag.name} ${flag.value ?? "VALUE"}` : `--${flag.name}`;
}

/** `vigia run [--config FILE] [--dry-run] …`: the usage line, from the table. */
export function formatUsage(spec: CommandSpec): string {
  const flags = spec.flags.map((f) => `[${formatFlag(f)}]`);
  return ["vigia", spec.name, ...(spec.args && !spec.args.startsWith("--") ? [spec.args] : []), ...flags, ...(spec.args.startsWith("--") ? [spec.args] : [])].join(" ");
}

/** Every exit code of a command, the shared usage error included, in ascending order. */
export function listExitCodes(spec: CommandSpec): ExitCodeSpec[] {
  return [...spec.exitCodes, USAGE_EXIT_CODE].sort((a, b) => a.code - b.code);
}

/** The text of `vigia COMMAND --help`. */
export function formatCommandHelp(spec: CommandSpec): string {
  const names = spec.flags.map((f) => `${f.short ? `-${f.short}, ` : "    "}${formatFlag(f)}`);
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = [`vigia ${spec.name} — ${spec.summary}`, "", `usage: ${formatUsage(spec)}`, "", ...wrapText(spec.details, HELP_WIDTH), ""];
  if (spec.flags.length > 0) {
    lines.push("Flags:");
    spec.flags.forEach((f, i) => {
      const text = `${f.description}${f.default ? ` Default: ${f.default}.` : ""}`;
      const [first, ...more] = wrapText(text, HELP_WIDTH - width - 4);
      lines.push(`  ${names[i]!.padEnd(width)}  ${first}`, ...more.map((m) => `${" ".repeat(width + 4)}${m}`));
    });
    lines.push("");
  }
  lines.push("Exit codes:");
  for (const e of listExitCodes(spec)) lines.push(`  ${String(e.code).padStart(3)}  ${e.meaning}`);
  return lines.join("\n");
}

const HELP_WIDTH = 100;

/** Splits a paragraph into lines of at most `width` characters, at spaces. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
