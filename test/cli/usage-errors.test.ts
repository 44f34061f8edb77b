/**
 * What a mistyped command line gets: every command refuses a flag it does not take, in plain English, with its
 * usage line and exit 2, before anything is started (no config read, no daemon, nothing written).
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { readdirSync } from "node:fs";
import { CLI_COMMANDS } from "../../src/cli/cli-spec.js";
import { removeDir } from "../helpers/temp-dir.js";
import { makeWorkdir, runVigia, type CliResult } from "./cli-harness.js";

const workdir = makeWorkdir();
afterAll(() => removeDir(workdir));
const runCli = (args: string[]): Promise<CliResult> => runVigia(args, workdir);

/** The one message line and the usage line, nothing else. */
function expectUsageError(result: CliResult, command: string, message: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const [first, usage, ...rest] = result.stderr.trimEnd().split("\n");
  expect(first).toBe(`vigia ${command}: ${message}`);
  expect(usage).toMatch(new RegExp(`^usage: vigia ${command}\\b`));
  expect(rest).toEqual([]);
}

describe("a flag the command does not take", () => {
  it.each(CLI_COMMANDS.map((c) => [c.name]))("`vigia %s --bogus`: refused, exit 2, nothing started", async (name) => {
    expectUsageError(await runCli([name, "--bogus", ...(name === "supervise" ? ["--", "true"] : [])]), name, "unknown flag '--bogus'");
    expect(readdirSync(workdir).sort()).toEqual(["rules", "vigia.config.yaml"]);
  });

  it("a misspelt flag: the one it was probably meant to be", async () => {
    expectUsageError(await runCli(["run", "--dryrun"]), "run", "unknown flag '--dryrun' (did you mean --dry-run?)");
    expectUsageError(await runCli(["report", "--al"]), "report", "unknown flag '--al' (did you mean --all?)");
  });

  it("an unknown short flag", async () => {
    expectUsageError(await runCli(["check", "-x"]), "check", "unknown flag '-x'");
  });
});

describe("a flag used the wrong way", () => {
  it("a value missing, at the end or before the next flag", async () => {
    expectUsageError(await runCli(["check", "--config"]), "check", "--config needs a value (FILE)");
    expectUsageError(await runCli(["check", "-c"]), "check", "--config needs a value (FILE)");
    expectUsageError(await runCli(["report", "--since", "--all"]), "report", "--since needs a value (WHEN)");
  });

  it("a value given to a switch", async () => {
    expectUsageError(await runCli(["report", "--json=yes"]), "report", "--json takes no value");
  });

  it("an argument to a command that takes none", async () => {
    expectUsageError(await runCli(["status", "now"]), "status", "unexpected argument 'now': vigia status takes no arguments");
  });

  it("--verbose, --quiet and --log-level contradict each other", async () => {
    expectUsageError(await runCli(["run", "-v", "-q"]), "run", "--verbose and --quiet contradict each other: give one");
    expectUsageError(await runCli(["run", "--log-level", "info", "--verbose"]), "run", "--log-level and --verbose contradict each other: give one");
  });

  it("run --source goes with --stdin and names a configured source", async () => {
    expectUsageError(await runCli(["run", "--source", "bot"]), "run", "--source names the source standard input feeds: it goes with --stdin");
    expectUsageError(await runCli(["run", "--stdin", "--source", "nope"]), "run", "--source: no source named 'nope' in the config");
  });
});
