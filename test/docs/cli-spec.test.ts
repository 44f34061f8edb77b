/**
 * The command table (src/cli/cli-spec.ts) against what each command really accepts and reads: the flags a command's
 * code reads are the flags its table lists (and the parser accepts), each `vigia COMMAND --help` lists them with
 * their defaults and exit codes, and an unlisted flag is refused.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_COMMANDS } from "../../src/cli/cli-spec.js";
import { removeDir } from "../helpers/temp-dir.js";
import { makeWorkdir, REPO, runVigia, type CliResult } from "../cli/cli-harness.js";

const workdir = makeWorkdir();
afterAll(() => removeDir(workdir));
const runCli = (args: string[]): Promise<CliResult> => runVigia(args, workdir);

const MAIN_SOURCE = readFileSync(join(REPO, "src/cli/main.ts"), "utf8");

/** The file holding each command's handler, as main.ts imports it. */
function findHandlerFile(command: string): string {
  const quoted = command.includes("-") ? `"${command}"` : command;
  const m = new RegExp(`^\\s*${quoted}: async .*import\\("\\./([\\w-]+)\\.js"\\)`, "m").exec(MAIN_SOURCE);
  if (!m) throw new Error(`main.ts has no handler for '${command}'`);
  return join(REPO, "src/cli", `${m[1]}.ts`);
}

/** Flags a handler's code reads: `values["x"]`, plus those `pickConsoleLevel(values, …)` reads for it. */
function listFlagsRead(file: string): string[] {
  const code = readFileSync(file, "utf8");
  const read = new Set([...code.matchAll(/values\["([\w-]+)"\]/g)].map((m) => m[1]!));
  if (/pickConsoleLevel\(values/.test(code)) for (const f of ["log-level", "verbose", "quiet"]) read.add(f);
  return [...read].sort();
}

describe("the command table", () => {
  it.each(CLI_COMMANDS.map((c) => [c.name]))("lists exactly the flags `vigia %s` reads", (name) => {
    const spec = CLI_COMMANDS.find((c) => c.name === name)!;
    const read = listFlagsRead(findHandlerFile(name));
    const listed = spec.flags.map((f) => f.name).sort();
    const unlisted = read.filter((f) => !listed.includes(f));
    const unread = listed.filter((f) => !read.includes(f));
    if (unlisted.length > 0 || unread.length > 0) {
      throw new Error(
        `vigia ${name}: ` +
          (unlisted.length > 0 ? `the code reads ${unlisted.map((f) => `--${f}`).join(", ")}, missing from src/cli/cli-spec.ts (then run npm run docs). ` : "") +
          (unread.length > 0 ? `src/cli/cli-spec.ts lists ${unread.map((f) => `--${f}`).join(", ")}, which the code never reads.` : ""),
      );
    }
  });

  it("has a handler for every command and a command for every handler", () => {
    const handled = [...MAIN_SOURCE.matchAll(/^\s*"?([\w-]+)"?: async \(/gm)].map((m) => m[1]).sort();
    expect(handled).toEqual(CLI_COMMANDS.map((c) => c.name).sort());
  });

  it("names each short flag once per command", () => {
    for (const c of CLI_COMMANDS) {
      const shorts = c.flags.flatMap((f) => (f.short ? [f.short] : []));
      expect(new Set(shorts).size).toBe(shorts.length);
    }
  });
});

describe("vigia COMMAND --help", () => {
  it.each(CLI_COMMANDS.map((c) => [c.name]))("`vigia %s --help` lists every flag, its default and every exit code", async (name) => {
    const spec = CLI_COMMANDS.find((c) => c.name === name)!;
    const { code, stdout } = await runCli([name, "--help"]);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, " ");
    for (const f of spec.flags) {
      expect(help).toContain(`--${f.name}`);
      if (f.short) expect(help).toContain(`-${f.short}, --${f.name}`);
      if (f.default) expect(help).toContain(`Default: ${f.default}.`);
    }
    for (const e of [...spec.exitCodes, { code: 2, meaning: "usage error" }]) expect(help).toContain(` ${e.code} ${e.meaning}`);
  });

  it("refuses a flag the table does not list, with the usage line and exit 2", async () => {
    const { code, stderr } = await runCli(["demo", "--config", "x.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toContain("usage: vigia demo [--keep] [--telegram]");
  });

  it("leaves a --help after `--` to the supervised command", async () => {
    // Without a config `supervise` starts a daemon; an unknown flag before `--` proves the help was not taken.
    const { code, stderr } = await runCli(["supervise", "--nope", "--", "python3", "--help"]);
    expect(code).toBe(2);
    expect(stderr).toContain("vigia supervise: unknown flag '--nope'");
  });

  it("`vigia help report` is `vigia report --help`", async () => {
    expect((await runCli(["help", "report"])).stdout).toBe((await runCli(["report", "--help"])).stdout);
  });
});
