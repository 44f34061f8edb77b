/**
 * The skip-reasons reporter in a real jest run of a sample file: a test skipped for the machine is listed with its
 * reason, one skipped by hand is listed as without a reason, and tests a `-t` filter leaves out are not listed.
 */
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SAMPLE = "test/helpers/fixtures/skipping.sample.mjs";
// The repository's own jest config (transform, ESM), narrowed to the sample below.
const { default: config } = (await import(new URL("../../jest.config.js", import.meta.url).href)) as { default: Record<string, unknown> };

/** Runs jest on the sample with only the skip-reasons reporter; returns what it printed. */
function runSample(args: string[] = []): { status: number | null; stderr: string } {
  const ownConfig = {
    ...config,
    rootDir: REPO,
    roots: ["<rootDir>/test/helpers/fixtures"],
    testMatch: ["**/skipping.sample.mjs"],
    globalSetup: undefined,
    reporters: ["<rootDir>/test/helpers/skip-reasons-reporter.js"],
  };
  const jest = fileURLToPath(new URL("../../node_modules/jest/bin/jest.js", import.meta.url));
  const run = spawnSync(process.execPath, ["--experimental-vm-modules", jest, "--config", JSON.stringify(ownConfig), ...args], {
    cwd: REPO,
    encoding: "utf8",
  });
  return { status: run.status, stderr: run.stderr };
}

describe("skip-reasons reporter", () => {
  it("lists a test skipped for the machine with its reason, and one skipped by hand as without a reason", () => {
    const { status, stderr } = runSample();
    expect(status).toBe(0);
    expect(stderr).toContain(`Skipped on this machine:\n  1 test: needs a unicorn (${SAMPLE})\n  1 test: skipped in the test file without a reason (${SAMPLE})\n`);
  });

  it("does not list the tests a -t filter leaves out", () => {
    const { status, stderr } = runSample(["-t", "also runs"]);
    expect(status).toBe(0);
    expect(stderr).not.toContain("Skipped on this machine");
  });

  it("lists a skipped test the -t filter selects", () => {
    const { status, stderr } = runSample(["-t", "unicorn"]);
    expect(status).toBe(0);
    expect(stderr).toContain(`Skipped on this machine:\n  1 test: needs a unicorn (${SAMPLE})\n`);
    expect(stderr).not.toContain("without a reason");
  });
});
