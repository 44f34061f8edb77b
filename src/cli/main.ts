import { parseArgs, type ParseArgsConfig } from "node:util";
import { VERSION } from "../version.js";
import { holdEarlySignals } from "./early-signals.js";
import { ConfigError } from "../config/index.js";
import { formatProblem } from "../util/problems.js";

/** A CLI usage error: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

interface Command {
  summary: string;
  usage: string;
  options: Options;
  allowPositionals: boolean;
  run(values: Record<string, unknown>, positionals: string[], rest: string[]): Promise<number>;
}

const configOption: Options = { config: { type: "string", short: "c" } };

/** Every sub-command, its usage line and its options; the handlers are loaded lazily so `--help` stays fast. */
const COMMANDS: Record<string, Command> = {
  run: {
    summary: "the daemon: tail, match, remediate, journal, notify, check",
    usage: "vigia run [--config F] [--dry-run] [--from-start] [--log-level L] [-v|-q]",
    options: {
      ...configOption,
      "dry-run": { type: "boolean" },
      "from-start": { type: "boolean" },
      "log-level": { type: "string" },
      verbose: { type: "boolean", short: "v" },
      quiet: { type: "boolean", short: "q" },
      stdin: { type: "boolean" },
    },
    allowPositionals: false,
    run: async (v) => (await import("./run-command.js")).runDaemonCommand(v),
  },
  check: {
    summary: "validate the config and every rule file (file:line: field: message)",
    usage: "vigia check [--config F] [--rules PATH] [--samples]",
    options: { ...configOption, samples: { type: "boolean" }, rules: { type: "string" } },
    allowPositionals: false,
    run: async (v) => (await import("./check-command.js")).runCheckCommand(v),
  },
  "test-rules": {
    summary: "run the rules over a log file, no actions (like fail2ban-regex)",
    usage: "vigia test-rules LOGFILE [--config F] [--source NAME] [--rules PATH] [--json]",
    options: { ...configOption, source: { type: "string" }, rules: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    run: async (v, p) => (await import("./test-rules-command.js")).runTestRulesCommand(v, p),
  },
  "suggest-rules": {
    summary: "a YAML rule stub (with its samples) for each error template no rule claims",
    usage: "vigia suggest-rules [LOGFILE…] [--config F]",
    options: { ...configOption },
    allowPositionals: true,
    run: async (v, p) => (await import("./suggest-rules-command.js")).runSuggestRulesCommand(v, p),
  },
  report: {
    summary: "summary of a journal: error_type × estado, fix rate, time to fix, timeline, log totals, checks, recommendations",
    usage: "vigia report [JOURNAL] [--config F] [--json] [--since 2h] [--html FILE] [--save]",
    options: { ...configOption, json: { type: "boolean" }, since: { type: "string" }, html: { type: "string" }, save: { type: "boolean" } },
    allowPositionals: true,
    run: async (v, p) => (await import("./report-command.js")).runReportCommand(v, p),
  },
  supervise: {
    summary: "start CMD and vigia together; CMD's output is logged and matched",
    usage: "vigia supervise [--config F] [--name bot] [--log FILE] [--dry-run] -- CMD ARGS…",
    options: {
      ...configOption,
      name: { type: "string" },
      log: { type: "string" },
      "dry-run": { type: "boolean" },
      "log-level": { type: "string" },
      verbose: { type: "boolean", short: "v" },
      quiet: { type: "boolean", short: "q" },
    },
    allowPositionals: true,
    run: async (v, _p, rest) => (await import("./supervise-command.js")).runSuperviseCommand(v, rest),
  },
  status: {
    summary: "ask a running vigia's /health and print it",
    usage: "vigia status [--config F] [--url http://127.0.0.1:9464] [--json]",
    options: { ...configOption, url: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: false,
    run: async (v) => (await import("./status-command.js")).runStatusCommand(v),
  },
  "notify-test": {
    summary: "send one test message through every configured channel",
    usage: "vigia notify-test [--config F] [--timeout SECONDS (default 15)]",
    options: { ...configOption, timeout: { type: "string" } },
    allowPositionals: false,
    run: async (v) => (await import("./notify-test-command.js")).runNotifyTestCommand(v),
  },
  demo: {
    summary: "replay fixtures/ through the real engine in a temp folder and show the incidents",
    usage: "vigia demo [--keep] [--telegram]",
    options: { keep: { type: "boolean" }, telegram: { type: "boolean" } },
    allowPositionals: false,
    run: async (v) => (await import("./demo-command.js")).runDemoCommand(v),
  },
};

/** The text of `vigia --help`. */
export function formatHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = [`vigia ${VERSION} — log-stream supervisor and auto-remediation`, "", "Commands:"];
  for (const [name, cmd] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(width)}  ${cmd.summary}`);
  lines.push("", "Usage:");
  for (const cmd of Object.values(COMMANDS)) lines.push(`  ${cmd.usage}`);
  lines.push("", "Run `vigia COMMAND --help` for one command. Docs: README.md");
  return lines.join("\n");
}

/** Entry point: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(formatHelp() + "\n");
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (name === "run" || name === "supervise") holdEarlySignals();
  if (!cmd) {
    process.stderr.write(`vigia: unknown command '${name}'\n\n${formatHelp()}\n`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${cmd.usage}\n  ${cmd.summary}\n`);
    return 0;
  }
  const dashDash = args.indexOf("--");
  const own = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const rest = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  try {
    const { values, positionals } = parseArgs({ args: own, options: cmd.options, allowPositionals: cmd.allowPositionals, strict: true });
    return await cmd.run(values, positionals, rest);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e instanceof UsageError || e.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`vigia ${name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      // Found at start (the open-file limit): said like every config problem, without a stack.
      for (const p of e.problems) process.stderr.write(`vigia ${name}: ${formatProblem(p)}\n`);
      return 1;
    }
    process.stderr.write(`vigia ${name}: ${e.stack ?? e.message}\n`);
    return 1;
  }
}
