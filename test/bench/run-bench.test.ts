/**
 * `npm run bench` as its reader meets it, on a tiny log: every figure comes with the command that produced it and
 * the machine's load, and a peer that is not installed is said in one line with how to install it. Speeds are
 * never asserted: only what the output says.
 */
import { describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasCommand } from "../helpers/environment.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const RUN_BENCH = fileURLToPath(new URL("../../bench/run-bench.mjs", import.meta.url));
const TINY = ["--lines", "3000", "--rounds", "1", "--skip-memory", "--no-build"];

const newTempDir = useTempDirs("vigia-bench-test-");

function runBench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_BENCH, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of `text` from the one that starts with `title` to the next blank line. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n${title}`);
  expect({ title, found: start !== -1 }).toEqual({ title, found: true });
  const end = text.indexOf("\n\n", start + 1);
  return text.slice(start + 1, end === -1 ? undefined : end);
}

describe("npm run bench", () => {
  const withPeers = hasCommand("sec") && hasCommand("fail2ban-regex") ? it : it.skip;

  withPeers("says the command behind every figure, and the load it was taken at", async () => {
    const r = await runBench([...TINY, "--latency-seconds", "1"]);
    expect({ code: r.code, aborted: /benchmark aborted/.test(r.stdout) }).toEqual({ code: 0, aborted: false });

    expect(r.stdout).toMatch(/^load average \(1, 5, 15 min\): [\d.]+, [\d.]+, [\d.]+ on \d+ cores$/m);
    const commands = section(r.stdout, "Commands (");
    expect(commands).toMatch(/^ {2}grep +LC_ALL=C grep -Eic '.+' FILE$/m);
    expect(commands).toMatch(/^ {2}test-rules +vigia test-rules FILE --config WORKSPACE\/vigia\.config\.yaml /m);
    expect(commands).toMatch(/^ {2}catch-up +node bench\/engine-child\.mjs catchup WORKSPACE /m);
    expect(commands).toMatch(/^ {2}SEC +sec --conf=WORKSPACE\/sec\.conf --input=FILE --notail$/m);
    expect(commands).toMatch(/^ {2}fail2ban-regex +fail2ban-regex FILE '.+' '.+'$/m);
    expect(section(r.stdout, "Throughput")).toMatch(/^Throughput .*, load [\d.]+ → [\d.]+$/m);

    const latency = section(r.stdout, "Detection latency");
    expect(latency).toMatch(/, load [\d.]+ → [\d.]+$/m);
    expect(latency).toMatch(/^command: node bench\/engine-child\.mjs follow WORKSPACE, and node bench\/latency-writer\.mjs FILE --rate 1000 --seconds 1 --match-every 50 --prefix lat- \(WORKSPACE = \/\S+, FILE = WORKSPACE\/logs\/bot_central\.log\)$/m);
    // The catch-up's journal (the live file and the archives it moved closed incidents to) and peak RSS.
    expect(r.stdout).toMatch(/^vigia catch-up: .*; journal [\d ]+ incidents live \([\d.]+ MB\), [\d ]+ archived in \d+ file\(s\)(?: \([\d.]+ MB\))?; .*peak [\d.]+ MB$/m);
  });

  it("says in one line how to install SEC and fail2ban-regex when they are missing, and goes on", async () => {
    // A PATH with grep alone: sec and fail2ban-regex are nowhere on it.
    const bin = join(newTempDir(), "bin");
    mkdirSync(bin);
    symlinkSync("/usr/bin/grep", join(bin, "grep"));
    const r = await runBench([...TINY, "--skip-latency"], { ...process.env, PATH: bin });
    expect({ code: r.code, aborted: /benchmark aborted/.test(r.stdout) }).toEqual({ code: 0, aborted: false });
    expect(r.stdout).toMatch(/^skipped: SEC: not installed: apt-get install sec \(Debian\/Ubuntu; elsewhere https:\/\/simple-evcorr\.github\.io\)$/m);
    expect(r.stdout).toMatch(/^skipped: fail2ban-regex: not installed: apt-get install fail2ban \(Debian\/Ubuntu; elsewhere https:\/\/github\.com\/fail2ban\/fail2ban\)$/m);
    // The rest of the run went on.
    expect(r.stdout).toMatch(/^vigia catch-up: /m);
    expect(r.stdout).toMatch(/^Targets/m);
  });
});
