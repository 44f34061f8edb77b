// deploy/vigia.service: the settings the README promises, and `systemd-analyze verify` (where installed) finds
// no unknown keys or bad values.
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./script-harness.js";
import { hasCommand, itIf } from "../helpers/environment.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-unit-");

const unitPath = join(REPO, "deploy", "vigia.service");
const unit = readFileSync(unitPath, "utf8");
/** Active `Key=value` settings (comments dropped), by key; a repeated key keeps its last value. */
const settings = new Map(
  unit
    .split("\n")
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
);
const hasSystemdAnalyze = hasCommand("systemd-analyze");

describe("deploy/vigia.service", () => {
  it("runs `vigia run` in the foreground, restarts on failure and reads an optional .env", () => {
    expect(settings.get("Type")).toBe("simple");
    expect(settings.get("ExecStart")).toMatch(/^\/\S*node( --\S+)* \/\S+\/bin\/vigia\.js run$/);
    expect(settings.get("Restart")).toBe("on-failure");
    expect(Number(settings.get("RestartSec"))).toBeGreaterThan(0);
    expect(settings.get("EnvironmentFile")).toMatch(/^-\/\S+\/\.env$/);
    expect(settings.get("WorkingDirectory")).toMatch(/^\//);
    expect(settings.get("KillSignal")).toBe("SIGTERM");
    expect(Number(settings.get("TimeoutStopSec"))).toBeGreaterThanOrEqual(15);
    expect(settings.get("WantedBy")).toBe("multi-user.target");
  });

  it("leaves out hardening that would break Node.js", () => {
    expect(settings.has("MemoryDenyWriteExecute")).toBe(false);
    expect(unit).toMatch(/NoNewPrivileges=false/); // the note for sudo users
  });

  itIf(hasSystemdAnalyze, "needs systemd-analyze (systemd)")("passes systemd-analyze verify", () => {
    const dir = newTempDir();
    copyFileSync(unitPath, join(dir, "vigia.service"));
    const r = spawnSync("systemd-analyze", ["verify", join(dir, "vigia.service")], { encoding: "utf8" });
    expect(r.stderr.split("\n").filter((l) => l.includes("vigia.service"))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
