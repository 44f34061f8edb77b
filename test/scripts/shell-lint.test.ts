// Every script parses with bash, starts with the strict-mode line, is executable, and is shellcheck-clean
// (the shellcheck part runs where shellcheck is installed: `apt-get install shellcheck`).
import { describe, expect, it } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SCRIPTS } from "./script-harness.js";
import { hasCommand, itIf } from "../helpers/environment.js";

const scripts = readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"));
const library = join(SCRIPTS, "lib", "common.sh");
const hasShellcheck = hasCommand("shellcheck");

describe("shell scripts", () => {
  it("include the four documented ones", () => {
    expect(scripts).toEqual(expect.arrayContaining(["run-with-monitor.sh", "start.sh", "status.sh", "stop.sh"]));
  });

  it.each(scripts)("%s parses, runs in strict mode and is executable", (name) => {
    const path = join(SCRIPTS, name);
    expect(() => execFileSync("bash", ["-n", path])).not.toThrow();
    const text = readFileSync(path, "utf8");
    expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(statSync(path).mode & 0o111).toBe(0o111);
  });

  itIf(hasShellcheck, "needs shellcheck (apt-get install shellcheck)")("pass shellcheck (sourced library included)", () => {
    const r = spawnSync("shellcheck", ["-x", ...scripts, "lib/common.sh"], { cwd: SCRIPTS, encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(library, "utf8")).toContain("# shellcheck shell=bash");
  });
});
