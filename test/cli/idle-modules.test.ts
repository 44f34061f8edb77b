// What a `vigia run` with Telegram, e-mail and commands off loads: not grammY, nodemailer or execa (imported on their
// first use: an alert to send, a mail, a command to run), so they take no memory in a vigia that never needs them.
// The modules are those node itself loads, recorded by a module hook (`--import` in NODE_OPTIONS).
import { afterEach, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { killLeftovers, makeWorkdir, readText, startVigia } from "./cli-harness.js";
import { waitFor } from "../helpers/wait-for.js";

afterEach(killLeftovers);

/** Writes a module hook that appends every URL node loads to `log`; returns the file for `--import`. */
function writeLoadRecorder(dir: string, log: string): string {
  const hooks = join(dir, "record-loads-hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";\n` +
      `export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`,
  );
  const register = join(dir, "record-loads.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return register;
}

describe("vigia run without Telegram, e-mail or commands", () => {
  it("never loads grammY, nodemailer or execa", async () => {
    const dir = makeWorkdir();
    const log = join(dir, "loaded.txt");
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ""} --import ${writeLoadRecorder(dir, log)}`.trim();
    const run = startVigia(["run"], dir, { NODE_OPTIONS: nodeOptions });
    await waitFor(() => / {2}status: http/.test(run.stdout() + run.stderr()), { what: "vigia's banner", describe: () => run.stdout() + run.stderr() });
    process.kill(run.pid, "SIGTERM");
    const result = await run.done;
    expect(result.code).toBe(0);

    const loaded = readText(log).split("\n");
    expect(loaded.some((url) => url.includes("/node_modules/rxjs/"))).toBe(true); // the recorder saw vigia's imports
    expect(loaded.filter((url) => /\/node_modules\/(grammy|@grammyjs|nodemailer|execa)\//.test(url))).toEqual([]);
    expect(readFileSync(log, "utf8")).toContain("/dist/cli/run-daemon-command.js");
  });
});
