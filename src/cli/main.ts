import { parseArgs, type ParseArgsConfig } from "node:util";
import { VERSION } from "../version.js";
import { holdEarlySignals } from "./early-signals.js";
import { ConfigError } from "../config/index.js";
import { formatProblem } from "../util/problems.js";
import { CLI_COMMANDS, findCommandSpec, formatCommandHelp, formatUsage, type CommandSpec } from "./cli-spec.js";

/** A CLI usage error: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Handler = (values: Record<string, unknown>, positionals: string[], rest: string[]) => Promise<number>;

/** Each sub-command's code, loaded lazily so `--help` stays fast. Names, flags and help text: cli-spec.ts. */
const HANDLERS: Record<string, Handler> = {
  run: async (v) => (await import("./run-command.js")).runDaemonCommand(v),
  check: async (v) => (await import("./check-command.js")).runCheckCommand(v),
  "test-rules": async (v, p) => (await import("./test-rules-command.js")).runTestRulesCommand(v, p),
  "suggest-rules": async (v, p) => (await import("./suggest-rules-command.js")).runSuggestRulesCommand(v, p),
  report: async (v, p) => (await import("./report-command.js")).runReportCommand(v, p),
  supervise: async (v, _p, rest) => (await import("./supervise-command.js")).runSuperviseCommand(v, rest),
  status: async (v) => (await import("./status-command.js")).runStatusCommand(v),
  "notify-test": async (v) => (await import("./notify-test-command.js")).runNotifyTestCommand(v),
  demo: async (v) => (await import("./demo-command.js")).runDemoCommand(v),
};

/** The parser's options for a command, from its flags in the table. */
function toParseArgsOptions(spec: CommandSpec): Options {
  const options: Options = {};
  for (const f of spec.flags) options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  return options;
}

/** The text of `vigia --help`. */
export function formatHelp(): string {
  const width = Math.max(...CLI_COMMANDS.map((c) => c.name.length));
  const lines = [`vigia ${VERSION} — log-stream supervisor and auto-remediation`, "", "Commands:"];
  for (const cmd of CLI_COMMANDS) lines.push(`  ${cmd.name.padEnd(width)}  ${cmd.summary}`);
  lines.push("", "Usage:");
  for (const cmd of CLI_COMMANDS) lines.push(`  ${formatUsage(cmd)}`);
  lines.push("", "Run `vigia COMMAND --help` for its flags, defaults and exit codes. Docs: README.md, docs/cli.md");
  return lines.join("\n");
}

/** Entry point: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    // `vigia help COMMAND` is `vigia COMMAND --help`.
    const asked = name === "help" && args[0] ? findCommandSpec(args[0]) : undefined;
    process.stdout.write(`${asked ? formatCommandHelp(asked) : formatHelp()}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = findCommandSpec(name);
  const handler = HANDLERS[name];
  if (name === "run" || name === "supervise") holdEarlySignals();
  if (!cmd || !handler) {
    process.stderr.write(`vigia: unknown command '${name}'\n\n${formatHelp()}\n`);
    return 2;
  }
  const dashDash = args.indexOf("--");
  const own = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const rest = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  // After `--` a `--help` belongs to the supervised command.
  if (own.includes("--help") || own.includes("-h")) {
    process.stdout.write(`${formatCommandHelp(cmd)}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: own, options: toParseArgsOptions(cmd), allowPositionals: cmd.positionals, strict: true });
    return await handler(values, positionals, rest);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e instanceof UsageError || e.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`vigia ${name}: ${e.message}\nusage: ${formatUsage(cmd)}\n`);
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
