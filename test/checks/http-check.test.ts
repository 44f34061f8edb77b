import { afterEach, describe, expect, it } from "@jest/globals";
import { createHttpCheck } from "../../src/checks/http-check.js";
import { createCheckScheduler, type CheckTransition } from "../../src/checks/check-scheduler.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import type { CheckResult } from "../../src/types.js";
import { startTestServer, type TestServer } from "./http-test-server.js";

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describe("http check against a real server", () => {
  it("is healthy on 2xx with the expected JSON subset, and reports latency", async () => {
    server = await startTestServer("ok");
    const check = createHttpCheck({ name: "backend", url: `${server.url}/health`, expectJson: { status: "ok" } });
    const result = await runCheckOnce(check);
    expect(result).toMatchObject({ check: "http:backend", kind: "http", ok: true, severity: "info", errorType: "servicio_caido" });
    expect(result.message).toMatch(/^HTTP 200, \d+ ms$/);
    expect(Number(result.fields.latency_ms)).toBeGreaterThanOrEqual(0);
    expect(result.fields.status).toBe("200");
  });

  it("names each failure: HTTP 500, body mismatch, timeout, refused", async () => {
    server = await startTestServer("error500");
    // A local answer may be slow on a loaded machine: only the hung server meets the short timeout.
    const options = { name: "tq", url: `${server.url}/health`, expectJson: { status: "ok" } };
    const check = createHttpCheck({ ...options, timeoutMs: 10_000 });

    const http500 = await runCheckOnce(check);
    expect(http500).toMatchObject({ ok: false, severity: "critical" });
    expect(http500.message).toMatch(/^HTTP 500 \(\d+ ms\)$/);
    expect(http500.motivo).toMatch(/^respuesta HTTP 500 \(\d+ ms\)$/);
    expect(http500.fields.reason).toBe("status");

    server.mode = "mismatch";
    const mismatch = await runCheckOnce(check);
    expect(mismatch.ok).toBe(false);
    expect(mismatch.message).toMatch(/^body mismatch: status: expected "ok", got "degraded" \(\d+ ms\)$/);
    expect(mismatch.motivo).toMatch(/^respuesta inesperada: status: se esperaba "ok", llegó "degraded" \(\d+ ms\)$/);
    expect(mismatch.fields.reason).toBe("body_mismatch");

    server.mode = "hang";
    const timeout = await runCheckOnce(createHttpCheck({ ...options, timeoutMs: 200 }));
    expect(timeout.ok).toBe(false);
    expect(timeout.fields.reason).toBe("timeout");
    expect(Number(timeout.fields.latency_ms)).toBeGreaterThanOrEqual(190);
    expect(timeout.message).toMatch(/^timeout \(\d+ ms\)$/);
    expect(timeout.motivo).toMatch(/^sin respuesta a tiempo \(\d+ ms\)$/);

    await server.close();
    const refused = await runCheckOnce(check);
    expect(refused.ok).toBe(false);
    expect(refused.fields.reason).toBe("refused");
    expect(refused.message).toMatch(/^refused/);
    expect(refused.motivo).toMatch(/^conexión rechazada/);
  });

  it("says 'recuperado' with the latency on the first success after a failure", async () => {
    server = await startTestServer("error500");
    const check = createHttpCheck({ name: "backend", url: server.url });
    expect((await runCheckOnce(check)).ok).toBe(false);
    server.mode = "ok";
    const recovered = await runCheckOnce(check);
    expect(recovered.ok).toBe(true);
    expect(recovered).toMatchObject({ message: expect.stringMatching(/^recovered, \d+ ms$/), motivo: expect.stringMatching(/^recuperado, \d+ ms$/) });
    expect((await runCheckOnce(check)).message).toMatch(/^HTTP 200/);
  });

  it("sends the configured method and headers, accepts listed statuses, and keeps secrets out of fields", async () => {
    server = await startTestServer("not_found");
    const check = createHttpCheck({
      name: "api",
      url: `http://user:pw@127.0.0.1:${server.port}/status?token=SECRET`,
      method: "HEAD",
      headers: { Authorization: "Bearer SECRET" },
      expectStatus: [200, 404],
    });
    const result = await runCheckOnce(check);
    expect(result.ok).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({ method: "HEAD", url: "/status?token=SECRET" });
    expect(server.requests.at(-1)!.headers.authorization).toBe("Bearer SECRET");
    expect(JSON.stringify(result)).not.toContain("SECRET");
    expect(result.fields.url).toBe(`http://127.0.0.1:${server.port}/status`);
  });

  it("opens an incident only after failure_threshold failures, and closes it on the first success", async () => {
    server = await startTestServer("ok");
    const transitions: CheckTransition[] = [];
    const results: CheckResult[] = [];
    const scheduler = createCheckScheduler({
      checks: [createHttpCheck({ name: "backend", url: server.url, failureThreshold: 2, timeoutMs: 10_000 })],
      onResult: (r) => results.push(r),
      onTransition: (t) => transitions.push(t),
    });
    await scheduler.runAll();
    await server.close();
    await scheduler.runAll();
    expect(transitions).toEqual([]); // one failure is below the threshold
    await scheduler.runAll();
    expect(transitions.map((t) => t.state)).toEqual(["down"]);
    expect(transitions[0]!.result).toMatchObject({ errorType: "servicio_caido", ok: false, fields: { reason: "refused" } });
    await server.reopen();
    await scheduler.runAll();
    expect(transitions.map((t) => t.state)).toEqual(["down", "up"]);
    expect(transitions[1]!.result.motivo).toMatch(/^recuperado, \d+ ms$/);
    expect(results).toHaveLength(4);
  });
});

describe("expect_json subset match", () => {
  it("accepts extra keys and names the first difference", async () => {
    const { findJsonMismatch } = await import("../../src/checks/match-json-subset.js");
    expect(findJsonMismatch({ status: "ok" }, { status: "ok", db: { up: true } })).toBeNull();
    expect(findJsonMismatch({ db: { up: true } }, { db: { up: false } })).toEqual({ message: "db.up: expected true, got false", motivo: "db.up: se esperaba true, llegó false" });
    expect(findJsonMismatch({ status: "ok" }, {})).toEqual({ message: "status: missing", motivo: "status: falta" });
    expect(findJsonMismatch({ status: "ok" }, ["ok"])).toEqual({ message: 'body: expected an object, got ["ok"]', motivo: 'body: se esperaba un objeto, llegó ["ok"]' });
    expect(findJsonMismatch({ tags: ["a"] }, { tags: ["a", "b"] })?.message).toBe('tags: expected ["a"], got ["a","b"]');
  });
});
