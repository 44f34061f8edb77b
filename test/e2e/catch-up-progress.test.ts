/**
 * A catch-up you can watch: `vigia run --from-start` on a big backlog, on a terminal (a pseudo-terminal made by
 * `script`), shows how far behind each source is, the reading rate, the ETA and the remediation queue on a status
 * line, and ends with a "caught up" line; /health, scraped over HTTP meanwhile, shows the lag per source falling to
 * 0. Without a terminal (a pipe, a service's journal) there is no progress line at all.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, botConfigWithStatus, cleanUpAll, createWorkspace, findFreePort, formatPythonLine, readHealth, startVigia, VIGIA_BIN, type Workspace } from "./vigia-harness.js";

const SCRIPT = "/usr/bin/script";

/** About 300 000 lines (32 MB) of the bot's ordinary chatter, one `ruta_inexistente` error in 100 lines. */
function writeBacklog(ws: Workspace, records = 300_000): number {
  const chunks: string[] = [];
  for (let i = 0; i < records; i++) {
    const time = `2025-12-25 14:${String(Math.floor(i / 6000) % 60).padStart(2, "0")}:${String(Math.floor(i / 100) % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}`;
    if (i % 100 === 50) {
      chunks.push(formatPythonLine("ERROR", `Error al guardar el video: [Errno 2] No such file or directory: 'modelos/m${i % 7}/${i}.mp4'`, time));
    } else if (i % 3 === 0) {
      chunks.push(formatPythonLine("INFO", `HTTP Request: POST http://localhost:8081/bot***/getUpdates "HTTP/1.1 200 OK"`, time, "httpx"));
    } else {
      chunks.push(formatPythonLine("INFO", `Descarga exitosa: modelos/ana/20251225_${String(i).padStart(6, "0")}_a3f2b1.mp4 (32.5 MB)`, time));
    }
  }
  const text = chunks.join("");
  ws.write(BOT_LOG, text);
  return Buffer.byteLength(text);
}

interface HealthSample {
  lag_bytes: number[];
  remediation?: { running: number; queued: number };
}

/** The lag per source and the remediation queue, from one /health answer; null while vigia is still loading. */
async function sampleHealth(port: number): Promise<HealthSample | null> {
  const doc = await readHealth(port);
  return doc && { lag_bytes: doc.sources.map((s) => s.lag_bytes), remediation: doc.remediation };
}

afterAll(() => cleanUpAll());

describe("vigia run --from-start on a big backlog", () => {
  const onTerminal = existsSync(SCRIPT) ? it : it.skip;

  onTerminal("shows the catch-up on a terminal and its lag in /health, down to 0", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: botConfigWithStatus(port, "{ allowed_roots: [modelos], backoff: [0.1, 0.2, 0.4] }") });
    const backlogBytes = writeBacklog(ws);
    // `script` gives vigia a pseudo-terminal for its stdout and stderr; its own output is what the terminal shows.
    const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(VIGIA_BIN)} run --from-start --dry-run`;
    const child = spawn(SCRIPT, ["-qfec", command, "/dev/null"], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NO_COLOR: "1", LANG: "C.UTF-8", VIGIA_PROGRESS_EVERY_MS: "100" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let terminal = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (terminal += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (terminal += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      const samples: HealthSample[] = [];
      await waitFor(
        async () => {
          const health = await sampleHealth(port);
          if (health) samples.push(health);
          return health !== null && samples.some((s) => s.lag_bytes[0]! > 0) && health.lag_bytes[0] === 0;
        },
        { what: "/health showing the bot source behind, then caught up", timeoutMs: 240_000, everyMs: 20, describe: () => `samples: ${JSON.stringify(samples.slice(-5))}\n${terminal}` },
      );
      const behind = samples.find((s) => s.lag_bytes[0]! > 0)!;
      expect(behind.lag_bytes[0]).toBeLessThanOrEqual(backlogBytes);
      expect(samples.at(-1)!.lag_bytes).toEqual([0]);
      expect(samples.at(-1)!.remediation).toEqual({ running: expect.any(Number), queued: expect.any(Number) });

      await waitFor(() => /caught up: /.test(terminal), { what: "the 'caught up' line on the terminal", timeoutMs: 60_000, describe: () => terminal });
      const progress = terminal.match(/catch-up: bot [\d.]+ [KMG]?B behind \(~[\d.]+ [kM]? ?lines\) · [\d.]+ [kM]? ?lines read, [\d.]+ [kM]? ?lines\/s, ETA [^·]+ · remediation \d+ running, \d+ queued/);
      expect(progress).not.toBeNull();
      expect(terminal).toMatch(/caught up: 300 k lines in [^·]+, [\d.]+ [kM]? ?lines\/s · remediation \d+ running, \d+ queued/);
      // The status line is redrawn in place: carriage return and erase-line, never a wrapped line of its own.
      expect(terminal).toContain("\r\u001b[Kcatch-up: bot ");
      // While it is shown, the terminal is not flooded with the backlog's incidents: only errors scroll above it;
      // the rest is in monitor.log, which the last line names. After it, the console is back to its level.
      const during = terminal.slice(terminal.indexOf("catch-up: bot "), terminal.indexOf("caught up: "));
      const logLines = during.split(/[\r\n]+/).map((l) => l.replace(/^.*\u001b\[K/, "")).filter((l) => /^\d{4}-\d{2}-\d{2} [\d:.]+ \w+ /.test(l));
      // Errors, and the banner (what vigia runs with) are said anyway.
      expect(logLines.filter((l) => !/^\S+ \S+ (?:error |info +(?:vigia \S+ — config| {2}\w+))/.test(l)).slice(0, 3)).toEqual([]);
      expect(terminal).toMatch(/caught up: .* · the catch-up's other log lines are in logs\/monitor\.log\r?\n/);
      const monitorLog = ws.read("logs/monitor.log");
      expect(monitorLog.match(/ incident \S+ ruta_inexistente detectado /g)?.length).toBeGreaterThan(7);
      // Once caught up, a new incident is on the terminal again.
      ws.append(BOT_LOG, formatPythonLine("ERROR", "Error al guardar el video: [Errno 2] No such file or directory: 'modelos/despues/1.mp4'", "2025-12-25 15:00:00,000"));
      await waitFor(() => / warn +incident \S+ ruta_inexistente detectado .*modelos\/despues\/1\.mp4/.test(terminal), { what: "the new incident on the terminal", timeoutMs: 60_000, describe: () => terminal.slice(-2000) });
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGINT");
      await exited;
    }
    expect(terminal).toMatch(/ info +vigia \S+ — config: vigia\.config\.yaml/);
  });

  it("prints no progress line when stderr is not a terminal", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: botConfigWithStatus(port, "{ allowed_roots: [modelos], backoff: [0.1, 0.2, 0.4] }") });
    writeBacklog(ws, 100_000);
    const vigia = await startVigia(ws, ["--from-start", "--dry-run"], { env: { VIGIA_PROGRESS_EVERY_MS: "50" } });
    await waitFor(async () => (await sampleHealth(port))?.lag_bytes[0] === 0, { what: "caught up", timeoutMs: 120_000 });
    const result = await vigia.stop("SIGINT");
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/catch-up:|caught up:/);
  });
});
