import { afterEach, describe, expect, it } from "@jest/globals";
import { WebhookChannel, type WebhookChannelOptions, type WebhookResult } from "../../src/notify/webhook-channel.js";
import { FakeWebhookReceiver } from "../helpers/fake-telegram.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

let hook: FakeWebhookReceiver | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

/** Posts on a virtual clock and lets each wait between attempts pass once it is set: `waitsMs` is the backoff expected. */
async function postThroughWaits(options: Omit<WebhookChannelOptions, "clock">, waitsMs: readonly number[]): Promise<WebhookResult> {
  const clock = new VirtualClock();
  const posted = new WebhookChannel({ ...options, clock }).post("{}", "opened");
  for (const ms of waitsMs) await clock.advanceToTimer(ms);
  const result = await posted;
  expect(clock.pendingTimers()).toBe(0); // no wait beyond those
  return result;
}

describe("WebhookChannel", () => {
  it("POSTs JSON with the configured headers and the event header", async () => {
    hook = await FakeWebhookReceiver.start();
    const channel = new WebhookChannel({ url: hook.url, headers: { "x-api-key": "k" } });
    const r = await channel.post(JSON.stringify({ id: "a", estado: "fallido" }), "transition");
    expect(r).toMatchObject({ ok: true, status: 200, attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]).toMatchObject({ method: "POST", path: "/hook", body: { id: "a", estado: "fallido" } });
    expect(hook.requests[0]!.headers).toMatchObject({ "content-type": "application/json", "x-api-key": "k", "x-vigia-event": "transition" });
  });

  it("retries 5xx up to 3 times with backoff and succeeds", async () => {
    hook = await FakeWebhookReceiver.start();
    hook.failNext(3, 503);
    const r = await postThroughWaits({ url: hook.url, backoffMs: [5, 10, 20] }, [5, 10, 20]);
    expect(r).toMatchObject({ ok: true, attempts: 4 });
    expect(hook.requests.map((q) => q.status)).toEqual([503, 503, 503, 200]);
  });

  it("gives up after 3 retries and says why, without the URL path", async () => {
    hook = await FakeWebhookReceiver.start();
    hook.failNext(10, 500);
    const { lines, logger } = captureLogger();
    const r = await postThroughWaits({ url: `${hook.url}/secret-path-123`, backoffMs: [1], logger }, [1, 1, 1]);
    expect(r).toMatchObject({ ok: false, status: 500, attempts: 4, error: "HTTP 500" });
    expect(hook.requests).toHaveLength(4);
    expect(lines.join("\n")).not.toContain("secret-path-123");
  });

  it("does not retry a 4xx other than 408/429", async () => {
    hook = await FakeWebhookReceiver.start();
    hook.failNext(1, 404);
    const r = await postThroughWaits({ url: hook.url }, []);
    expect(r).toMatchObject({ ok: false, status: 404, attempts: 1 });
  });

  it("times out a hung endpoint and retries; refused connections are retried too", async () => {
    hook = await FakeWebhookReceiver.start();
    hook.answerAfter(300);
    const r = await postThroughWaits({ url: hook.url, timeoutMs: 50, retries: 1 }, [50, 1000, 50]); // timeout, backoff, timeout
    expect(r).toMatchObject({ ok: false, status: null, attempts: 2, error: "timeout" });

    const closedUrl = hook.url;
    await hook.close();
    hook = undefined;
    const refused = await postThroughWaits({ url: closedUrl }, [1000, 2000, 4000]);
    expect(refused).toMatchObject({ ok: false, status: null, attempts: 4, error: "ECONNREFUSED" });
  });
});
