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
  run: async (v) => (await import("./run-daemon-command.js")).runDaemonCommand(v),
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

/**
 * node:util's parse errors in the words of this CLI: the flag as typed, what was wrong with it, and for a misspelt
 * flag the one it was probably meant to be. Node's own wording suggests `--` for odd positionals, which for
 * `supervise` means something else.
 */
function describeParseError(error: Error & { code?: string }, spec: CommandSpec): string {
  const quoted = /'(-[^' ]+)/.exec(error.message)?.[1] ?? "";
  const flag = spec.flags.find((f) => new RegExp(`--${f.name}(?![\\w-])`).test(error.message));
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const close = spec.flags.find((f) => isCloseTo(quoted.replace(/^-+/, ""), f.name));
      return `unknown flag '${quoted}'${close ? ` (did you mean --${close.name}?)` : ""}`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${/'([^']*)'/.exec(error.message)?.[1] ?? ""}': vigia ${spec.name} takes no arguments`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (flag?.type === "boolean") return `--${flag.name} takes no value`;
      if (flag) return `--${flag.name} needs a value (${flag.value ?? "VALUE"})`;
  }
  return error.message;
}

/** A likely typo: one edit apart (a letter missing, extra, changed or two swapped), or a prefix of the flag. */
function isCloseTo(typed: string, name: string): boolean {
  if (typed.length >= 3 && name.startsWith(typed)) return true;
  if (Math.abs(typed.length - name.length) > 1) return false;
  const [a, b] = typed.length <= name.length ? [typed, name] : [name, typed];
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.slice(i) === b.slice(i + 1);
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
      const message = e instanceof UsageError ? e.message : describeParseError(e, cmd);
      process.stderr.write(`vigia ${name}: ${message}\nusage: ${formatUsage(cmd)}\n`);
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
