import { afterEach, describe, expect, it } from "@jest/globals";
import { createBotApiCheck } from "../../src/checks/bot-api-check.js";
import { createCheckScheduler, type CheckTransition } from "../../src/checks/check-scheduler.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import { startTestServer, type TestServer } from "./http-test-server.js";

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describe("bot_api check against a real server", () => {
  it("defaults to every 10 s, 3 attempts", () => {
    const check = createBotApiCheck();
    expect(check).toMatchObject({ id: "bot_api", kind: "bot_api", intervalMs: 10_000, failureThreshold: 3, errorType: "servidor_caido" });
  });

  it("counts any HTTP answer as up, even a 404", async () => {
    server = await startTestServer("not_found");
    const result = await runCheckOnce(createBotApiCheck({ url: server.url }));
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/HTTP 404/);
  });

  it("is down on refused, timeout and a 5xx from a proxy, with the reason", async () => {
    server = await startTestServer("bad_gateway");
    // A local answer may be slow on a loaded machine: only the hung server meets the short timeout.
    const check = createBotApiCheck({ url: server.url, timeoutMs: 10_000 });
    const gateway = await runCheckOnce(check);
    expect(gateway).toMatchObject({ ok: false, severity: "critical", fields: { reason: "status", status: "502" } });
    expect(gateway.message).toMatch(/^HTTP 502/);

    server.mode = "hang";
    expect((await runCheckOnce(createBotApiCheck({ url: server.url, timeoutMs: 150 }))).fields.reason).toBe("timeout");

    await server.close();
    const refused = await runCheckOnce(check);
    expect(refused.fields.reason).toBe("refused");
  });

  it("reports a name that does not resolve as dns", async () => {
    const result = await runCheckOnce(createBotApiCheck({ url: "http://vigia-no-such-host.invalid:8081", timeoutMs: 2000 }));
    expect(result.ok).toBe(false);
    expect(["dns", "timeout"]).toContain(result.fields.reason);
  });

  it("opens servidor_caido after 3 consecutive failures and notices recovery on the next probe", async () => {
    server = await startTestServer("not_found");
    const transitions: CheckTransition[] = [];
    const scheduler = createCheckScheduler({
      checks: [createBotApiCheck({ url: server.url, timeoutMs: 10_000 })],
      onTransition: (t) => transitions.push(t),
    });
    await scheduler.runAll();
    await server.close();
    await scheduler.runAll();
    await scheduler.runAll();
    expect(transitions).toEqual([]);
    await scheduler.runAll();
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({ check: "bot_api", state: "down", result: { errorType: "servidor_caido", severity: "critical" } });
    expect(transitions[0]!.result.message).toMatch(/^refused/);
    await server.reopen();
    await scheduler.runAll();
    expect(transitions.map((t) => t.state)).toEqual(["down", "up"]);
    expect(transitions[1]!.result.motivo).toMatch(/^recuperado, \d+ ms$/);
  });
});
