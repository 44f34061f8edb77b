import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { printStatus } from "../../src/observe/print-status.js";
import { formatHealthReport, formatTable } from "../../src/observe/format-health-report.js";
import { createStatusServer, type StatusServer } from "../../src/observe/status-server.js";
import { createMetrics } from "../../src/observe/metrics.js";
import type { HealthReport } from "../../src/observe/health-report.js";

const NOW = Date.parse("2024-05-01T10:00:30.000Z");

const report: HealthReport = {
  status: "degraded",
  version: "0.1.0",
  uptime_s: 3725,
  sources: [
    { name: "bot", path: "logs/bot_central.log", offset: 123456, lag_bytes: 0, last_line_at: "2024-05-01T10:00:18.000Z" },
    { name: "backend", path: "logs/backend.log", offset: 99, lag_bytes: 2048, last_line_at: null },
  ],
  rules: { loaded: 12, files: 3, last_reload: "2024-05-01T09:00:30.000Z", last_error: null },
  incidents_open: { ruta_inexistente: 2, servidor_caido: 1 },
  checks: [
    { check: "disk:.", ok: true, message: "85 GB free on .", motivo: "85 GB libres en .", at: "2024-05-01T10:00:00.000Z" },
    { check: "http:backend", ok: false, message: "refused (1 ms)", motivo: "conexión rechazada (1 ms)", at: "2024-05-01T10:00:00.000Z" },
  ],
  notifier: { queued: 1, sent: 5, failed: 0, dropped: 2 },
};

let statusServer: StatusServer | undefined;
let plainServer: Server | undefined;
afterEach(async () => {
  await statusServer?.stop();
  statusServer = undefined;
  if (plainServer) await new Promise((r) => plainServer!.close(r));
  plainServer = undefined;
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (t: string) => void out.push(t), writeError: (t: string) => void err.push(t) };
}

describe("vigia status", () => {
  it("prints a running vigia's /health as a table and exits 0", async () => {
    statusServer = createStatusServer({ listen: { host: "127.0.0.1", port: 0 }, getHealth: () => report, registry: createMetrics({ collectProcessMetrics: false }).registry });
    const { port } = await statusServer.start();
    const io = capture();
    const code = await printStatus({ url: `http://127.0.0.1:${port}/health`, nowMs: () => NOW, ...io });
    expect(code).toBe(0);
    expect(io.err).toEqual([]);
    const text = io.out.join("");
    expect(text).toContain("vigia 0.1.0  status: degraded  uptime: 1 h 2 min");
    expect(text).toContain("bot      logs/bot_central.log  123456     0  2024-05-01T10:00:18.000Z (12 s ago)");
    expect(text).toContain("backend  logs/backend.log          99  2048  -");
    expect(text).toContain("RULES      12 loaded from 3 files; last reload 2024-05-01T09:00:30.000Z (1 h ago); last error: none");
    expect(text).toContain("INCIDENTS  ruta_inexistente: 2, servidor_caido: 1");
    expect(text).toMatch(/http:backend\s+FAIL\s+2024-05-01T10:00:00.000Z \(30 s ago\)\s+refused \(1 ms\)/);
    expect(text).toContain("NOTIFIER   queued 1, sent 5, failed 0, dropped 2");
  });

  it("exits 1 with a clear message when nothing answers", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r)); // the port is free now: connection refused
    const io = capture();
    const code = await printStatus({ url: `http://127.0.0.1:${port}/health`, ...io });
    expect(code).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err.join("")).toBe(
      `vigia status: no vigia answering at http://127.0.0.1:${port}/health (connection refused: is \`vigia run\` running, and is status.listen the same?)\n`,
    );
  });

  it("exits 1 when something else answers on the port", async () => {
    plainServer = createServer((_, res) => res.end("<html>hello</html>"));
    await new Promise<void>((r) => plainServer!.listen(0, "127.0.0.1", r));
    const { port } = plainServer.address() as AddressInfo;
    const io = capture();
    expect(await printStatus({ url: `http://127.0.0.1:${port}/health`, ...io })).toBe(1);
    expect(io.err.join("")).toMatch(/did not answer with JSON/);
  });

  it("exits 1 when the server does not answer in time", async () => {
    plainServer = createServer(() => undefined);
    await new Promise<void>((r) => plainServer!.listen(0, "127.0.0.1", r));
    const { port } = plainServer.address() as AddressInfo;
    const io = capture();
    expect(await printStatus({ url: `http://127.0.0.1:${port}/health`, timeoutMs: 100, ...io })).toBe(1);
    expect(io.err.join("")).toMatch(/no answer within 100 ms/);
    plainServer.closeAllConnections();
  });
});

describe("formatHealthReport", () => {
  it("survives a partial report and strips terminal control characters", () => {
    const text = formatHealthReport({ status: "ok", checks: [{ check: "exec:x", ok: true, message: "\u001b[2Jcleared", at: "soon" }] }, NOW);
    expect(text).not.toContain("\u001b");
    expect(text).toContain("SOURCES    none");
    expect(text).toContain("INCIDENTS  none open");
    expect(text).toContain("NOTIFIER   queued -, sent -, failed -, dropped -");
    expect(formatHealthReport(null, NOW)).toContain("vigia -  status: -  uptime: -");
  });

  it("aligns columns", () => {
    expect(formatTable(["A", "NUM"], [["long-name", "5"], ["x", "123"]], [false, true])).toEqual(["A          NUM", "long-name    5", "x          123"]);
  });
});
