/**
 * `vigia run --from-start` on a big backlog says what it runs with (the banner) before it reads the backlog, not
 * once it has: the first action the backlog sets off already sees the banner on the console. The action blocks
 * until the test lets it go, and a later line of its incident waits for it, so the backlog cannot be read to its
 * end before it ends; its console output goes to a file, which the action copies when it runs.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, VIGIA_BIN, type Workspace } from "./vigia-harness.js";

afterEach(cleanUpTest);

const CONFIG = ["status: null", "checks: { disk: null }", "rules: reglas", "remediation:", "  allowed_roots: [modelos]", "  max_retries: 0", ""].join("\n");

/** Two errors of one video a second apart, then about 24 MB of the bot's ordinary chatter. */
function writeBacklog(ws: Workspace): void {
  const chunks = [
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:00,000"),
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:01,000"),
  ];
  for (let i = 0; i < 240_000; i++) {
    const time = `2025-12-25 14:${String(1 + Math.floor(i / 6000) % 59).padStart(2, "0")}:${String(Math.floor(i / 100) % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}`;
    chunks.push(formatPythonLine("INFO", `Descarga exitosa: modelos/bea/20251225_${String(i).padStart(6, "0")}_a3f2b1.mp4 (32.5 MB)`, time));
  }
  ws.write(BOT_LOG, chunks.join(""));
}

describe("vigia run --from-start on a big backlog", () => {
  it("prints its banner before reading the backlog", async () => {
    const ws = createWorkspace({ config: CONFIG, copyRules: false });
    // The operator's hook: what the console showed so far is copied, then it waits for the test.
    ws.write("gancho.sh", `cp '${ws.at("consola.txt")}' '${ws.at("vista.txt")}'\nwhile [ ! -e '${ws.at("soltar")}' ]; do sleep 0.05; done\n`);
    ws.write(
      "reglas/marcar.yaml",
      ["rules:", "  - id: marcar", "    match: 'marcar: (?<path>\\S+)'", "    actions:", `      - { type: exec, command: [sh, '${ws.at("gancho.sh")}'] }`, ""].join("\n"),
    );
    writeBacklog(ws);
    const console = openSync(ws.at("consola.txt"), "w");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NO_COLOR: "1", LANG: "C.UTF-8" };
    const child = spawn(process.execPath, [VIGIA_BIN, "run", "--from-start"], { cwd: ws.dir, env, stdio: ["ignore", console, console] });
    closeSync(console);
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await waitFor(() => existsSync(ws.at("vista.txt")), { what: "the backlog's first action", timeoutMs: 120_000, describe: () => ws.read("consola.txt") });
      ws.write("soltar", "");
      await waitFor(() => readJournal(ws)[0]?.estado === "solucionado", { what: "the incident fixed", timeoutMs: 120_000, describe: () => ws.read("consola.txt") });
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    const seen = ws.read("vista.txt");
    expect(seen).toMatch(/ info +vigia \S+ — config: vigia\.config\.yaml/);
    expect(seen).toMatch(/ info + {2}remediation: on, roots modelos/);
    // Said once.
    expect(ws.read("consola.txt").match(/vigia \S+ — config:/g)).toHaveLength(1);
    expect(readJournal(ws)).toEqual([expect.objectContaining({ error_type: "marcar", estado: "solucionado", ocurrencias: 2 })]);
  }, 240_000);
});
