import { afterEach, describe, expect, it } from "@jest/globals";
import { Agent, request } from "node:http";
import { createStatusServer, StatusServerError, type StatusServer } from "../../src/observe/status-server.js";
import { getStatusUrl } from "../../src/observe/listen-address.js";
import { createMetrics } from "../../src/observe/metrics.js";
import { toHealthCheck, type HealthReport } from "../../src/observe/health-report.js";
import { parsePrometheusText } from "./metrics-prometheus-text.js";

function sampleReport(): HealthReport {
  return {
    status: "ok",
    version: "0.1.0",
    uptime_s: 12,
    sources: [{ name: "bot", path: "logs/bot_central.log", offset: 4096, lag_bytes: 0, last_line_at: "2024-05-01T10:00:00.000Z", rotations: 0 }],
    rules: { loaded: 12, files: 3, last_reload: null, last_error: null },
    incidents_open: { ruta_inexistente: 2 },
    checks: [
      toHealthCheck({
        check: "http:backend",
        kind: "http",
        ok: false,
        severity: "critical",
        errorType: "servicio_caido",
        message: "refused (1 ms)",
        motivo: "conexión rechazada (1 ms)",
        durationMs: 1,
        fields: {},
        atMs: Date.parse("2024-05-01T10:00:05.000Z"),
      }),
    ],
    notifier: { queued: 0, sent: 5, failed: 1, dropped: 0 },
  };
}

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function startServer(options: Partial<Parameters<typeof createStatusServer>[0]> = {}) {
  const metrics = createMetrics();
  const server = createStatusServer({ listen: { host: "127.0.0.1", port: 0 }, getHealth: sampleReport, registry: metrics.registry, ...options });
  servers.push(server);
  const address = await server.start();
  return { server, metrics, base: `http://127.0.0.1:${address.port}`, port: address.port };
}

describe("status server", () => {
  it("serves /health as JSON from the provider", async () => {
    const { base } = await startServer();
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await response.json()) as HealthReport;
    expect(body).toEqual(sampleReport());
    expect(Object.keys(body).sort()).toEqual(["checks", "incidents_open", "notifier", "rules", "sources", "status", "uptime_s", "version"]);
    expect(body.checks[0]).toEqual({ check: "http:backend", ok: false, message: "refused (1 ms)", motivo: "conexión rechazada (1 ms)", at: "2024-05-01T10:00:05.000Z", duration_ms: 1 });
  });

  it("reflects a rotation and a rule reload between two requests", async () => {
    const report = sampleReport();
    const { base } = await startServer({ getHealth: () => report });
    expect(((await (await fetch(`${base}/health`)).json()) as HealthReport).sources[0]!.offset).toBe(4096);
    // The engine's state changes: the file rotated (offset restarts in the new file) and rules were reloaded.
    report.sources[0] = { ...report.sources[0]!, offset: 120, rotations: 1 };
    report.rules = { loaded: 13, files: 3, last_reload: "2024-05-01T10:01:00.000Z", last_error: null };
    const after = (await (await fetch(`${base}/health`)).json()) as HealthReport;
    expect(after.sources[0]).toMatchObject({ offset: 120, rotations: 1 });
    expect(after.rules).toEqual({ loaded: 13, files: 3, last_reload: "2024-05-01T10:01:00.000Z", last_error: null });
  });

  it("serves /metrics in Prometheus text format with counters after a scenario", async () => {
    const { base, metrics } = await startServer();
    metrics.linesRead.inc({ source: "bot" }, 7);
    metrics.ruleMatches.inc({ rule: "ruta_inexistente" }, 2);
    metrics.tailerRotations.inc({ source: "bot" });
    metrics.ruleReloads.inc({ outcome: "ok" });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const parsed = parsePrometheusText(await response.text());
    expect(parsed.valueOf("vigia_lines_read_total", { source: "bot" })).toBe(7);
    expect(parsed.valueOf("vigia_rule_matches_total", { rule: "ruta_inexistente" })).toBe(2);
    expect(parsed.valueOf("vigia_tailer_rotations_total", { source: "bot" })).toBe(1);
    expect(parsed.valueOf("vigia_rule_reloads_total", { outcome: "ok" })).toBe(1);
    expect(parsed.samples.some((s) => s.name.startsWith("process_"))).toBe(true);
  });

  it("answers 404 JSON elsewhere, 405 for other methods, and HEAD without a body", async () => {
    const { base } = await startServer();
    const missing = await fetch(`${base}/admin`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not found", endpoints: ["/health", "/metrics", "/health/live", "/health/ready"] });
    const post = await fetch(`${base}/health`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${base}/health?verbose=1`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers /health/live while the process runs, and /health/ready 503 with the reasons until it is ready", async () => {
    let readiness = { ready: false, problems: ["no rules loaded"], rules_loaded: false };
    const { base } = await startServer({ getReadiness: () => readiness });
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ live: true });
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual(readiness);
    readiness = { ready: true, problems: [], rules_loaded: true };
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it("answers 500 without details when the provider throws, and tells the engine", async () => {
    const errors: unknown[] = [];
    const { base } = await startServer({
      getHealth: () => {
        throw new Error("state broken at /secret/path");
      },
      onError: (e) => errors.push(e),
    });
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("/secret/path");
    expect(errors).toHaveLength(1);
  });

  it("reports a port in use as a clear StatusServerError", async () => {
    const { port } = await startServer();
    const second = createStatusServer({ listen: { host: "127.0.0.1", port }, getHealth: sampleReport, registry: createMetrics({ collectProcessMetrics: false }).registry });
    const error = await second.start().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StatusServerError);
    expect(error).toMatchObject({ code: "EADDRINUSE", address: { host: "127.0.0.1", port } });
    expect((error as Error).message).toBe(`status server: 127.0.0.1:${port} is already in use (another vigia running?); set status.listen to a free port`);
    expect(second.address()).toBeNull();
  });

  it("stops promptly even with a keep-alive scrape connection open", async () => {
    const { server, port } = await startServer();
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/metrics", agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });
    // Without closing it, stop() would wait for the connection's 5 s idle timeout: the race tells them apart by
    // outcome, and 5 s leaves a loaded machine all the room it needs.
    const outcome = await Promise.race([
      server.stop().then(() => "stopped"),
      new Promise((resolve) => setTimeout(() => resolve("waited for the idle timeout"), 5_000).unref()),
    ]);
    expect(outcome).toBe("stopped");
    expect(server.address()).toBeNull();
    agent.destroy();
  });
});

describe("listen address", () => {
  it("builds the URL a local client uses", () => {
    expect(getStatusUrl({ host: "127.0.0.1", port: 9464 })).toBe("http://127.0.0.1:9464/health");
    expect(getStatusUrl({ host: "0.0.0.0", port: 9464 })).toBe("http://127.0.0.1:9464/health");
    expect(getStatusUrl({ host: "::", port: 9464 }, "/metrics")).toBe("http://[::1]:9464/metrics");
  });
});
