// status.token off loopback: `vigia run` and `vigia check` refuse 0.0.0.0 without one and say why; with one, every
// request — /health, /metrics, unknown paths — needs it as a bearer header or the cookie a `?token=` visit sets,
// and `vigia status` sends it by itself.
import { afterEach, describe, expect, it } from "@jest/globals";
import { createStatusServer, type StatusServer } from "../../src/observe/status-server.js";
import { createMetrics } from "../../src/observe/metrics.js";
import type { HealthReport } from "../../src/observe/health-report.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatPythonLine, runVigia, startVigia } from "../e2e/vigia-harness.js";

const TOKEN = "f1e2d3c4b5a69788-status";

function sampleReport(): HealthReport {
  return {
    status: "ok",
    version: "0.1.0",
    uptime_s: 1,
    sources: [{ name: "bot", path: "/srv/bot/logs/bot_central.log", offset: 10, lag_bytes: 0, last_line_at: null }],
    rules: { loaded: 1, files: 1, last_reload: null, last_error: null },
    incidents_open: {},
    checks: [],
    notifier: { queued: 0, sent: 0, failed: 0, dropped: 0 },
  };
}

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await cleanUpTest();
});

async function startTokenServer(): Promise<string> {
  const server = createStatusServer({
    // Off loopback, as an operator exposing it to Prometheus would; the test only talks to it over 127.0.0.1.
    listen: { host: "0.0.0.0", port: 0 },
    token: TOKEN,
    getHealth: sampleReport,
    registry: createMetrics({ collectProcessMetrics: false }).registry,
  });
  servers.push(server);
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

describe("status server with a token", () => {
  it("answers 401 without the token on every path, revealing neither the report nor the routes", async () => {
    const base = await startTokenServer();
    for (const path of ["/health", "/metrics", "/", "/nothing-here"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="vigia"');
      const text = await response.text();
      expect(text).not.toContain("bot_central.log");
      expect(text).not.toContain("endpoints");
    }
    const wrong = await fetch(`${base}/health`, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const wrongCookie = await fetch(`${base}/health`, { headers: { Cookie: `vigia_status=${TOKEN.slice(0, -1)}` } });
    expect(wrongCookie.status).toBe(401);
  });

  it("serves /health and /metrics to a bearer header, as Prometheus sends it", async () => {
    const base = await startTokenServer();
    const health = await fetch(`${base}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(health.status).toBe(200);
    expect(((await health.json()) as HealthReport).sources[0]!.name).toBe("bot");
    const metrics = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("vigia_rules_loaded");
  });

  it("turns ?token= into an HttpOnly SameSite=Strict cookie and a redirect to the URL without it", async () => {
    const base = await startTokenServer();
    const first = await fetch(`${base}/health?token=${TOKEN}&x=1`, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/health?x=1");
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^vigia_status=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const again = await fetch(`${base}/health?x=1`, { headers: { Cookie: cookie.split(";")[0]! } });
    expect(again.status).toBe(200);
    const bad = await fetch(`${base}/health?token=nope`, { redirect: "manual" });
    expect(bad.status).toBe(401);
  });
});

describe("vigia run off loopback", () => {
  it("refuses 0.0.0.0 without status.token, in `vigia run` and `vigia check`, saying why and exiting non-zero", async () => {
    const ws = createWorkspace({ config: BASE_CONFIG_YAML.replace("status: null", "status: { listen: '0.0.0.0:9464' }") });
    const run = await runVigia(ws.dir, ["run"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("vigia.config.yaml:1: status.listen: 0.0.0.0:9464 is reachable from other machines, so status.token is required");
    expect(run.stderr).toContain("nothing was started");
    const check = await runVigia(ws.dir, ["check"]);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toContain("status.token is required");
  });

  it("with a token: the daemon's /health needs it, and `vigia status` sends it from the config", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({
      config: BASE_CONFIG_YAML.replace("status: null", `status: { listen: '0.0.0.0:${port}', token: '\${VIGIA_STATUS_TOKEN}' }`),
    });
    ws.write(".env", `VIGIA_STATUS_TOKEN=${TOKEN}\n`);
    ws.append(BOT_LOG, formatPythonLine("INFO", "Bot iniciado"));
    const vigia = await startVigia(ws);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const status = await runVigia(ws.dir, ["status", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: expect.any(String) });
    // The token is a secret: it never reaches vigia's own log.
    expect(vigia.stderr()).not.toContain(TOKEN);
    expect((await vigia.stop()).code).toBe(0);
  });
});
