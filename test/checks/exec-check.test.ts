import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createExecCheck } from "../../src/checks/exec-check.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

function isGoneOrZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

const node = process.execPath;
let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterAll(() => cleanup());

describe("exec check", () => {
  it("is healthy on exit 0", async () => {
    const result = await runCheckOnce(createExecCheck({ name: "noop", command: [node, "-e", "process.exit(0)"] }));
    expect(result).toMatchObject({ check: "exec:noop", kind: "exec", ok: true, fields: { exit_code: "0" } });
  });

  it("fails on another exit code with the command's stderr as the reason", async () => {
    const result = await runCheckOnce(
      createExecCheck({ name: "docker", command: [node, "-e", "console.error('container not running'); process.exit(3)"], errorType: "servidor_caido" }),
    );
    expect(result).toMatchObject({ ok: false, errorType: "servidor_caido", severity: "warning", fields: { exit_code: "3", reason: "exit" } });
    expect(result.message).toBe("exit 3: container not running");
  });

  it("checks stdout when expect_output is set (docker inspect prints false and exits 0)", async () => {
    const check = createExecCheck({ name: "running", command: [node, "-e", "console.log('false')"], expectOutput: /^true$/ });
    const result = await runCheckOnce(check);
    expect(result.ok).toBe(false);
    expect(result.message).toBe('output "false" does not match /^true$/');
  });

  it("kills a command that outlives its timeout", async () => {
    // the command outlives the test's timeout: only the kill ends it
    const result = await runCheckOnce(createExecCheck({ name: "slow", command: [node, "-e", "setTimeout(() => {}, 600000)"], timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, fields: { reason: "timeout" } });
  });

  it("kills what the command started too when it times out (its whole process group)", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const script = `sleep 600 & echo $! > ${pidFile}; wait`;
    const result = await runCheckOnce(createExecCheck({ name: "wrapper", command: ["sh", "-c", script], timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, message: "timeout after 300 ms", fields: { reason: "timeout" } });
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    // Killed with its group; with its parent gone too it may linger a moment as a zombie until init reaps it.
    await waitFor(() => isGoneOrZombie(grandchild), `the grandchild ${grandchild} to be killed`);
  });

  it("reports a missing program as not run", async () => {
    const result = await runCheckOnce(createExecCheck({ name: "ghost", command: ["vigia-no-such-program"] }));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^did not run/);
  });

  it("passes arguments to the program without a shell", async () => {
    const marker = join(dir, "pwned");
    const result = await runCheckOnce(
      createExecCheck({ name: "literal", command: [node, "-e", "process.exit(process.argv[1].includes('$(') ? 0 : 1)", `$(touch ${marker})`] }),
    );
    expect(result.ok).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});
