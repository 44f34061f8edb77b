import { afterEach, describe, expect, it } from "@jest/globals";
import { TelegramChannel } from "../../src/notify/telegram-channel.js";
import { TelegramSendError } from "../../src/notify/telegram-send-error.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const TOKEN = "123456:AAtest-token_secret";
const CHAT = 4242;

let fakes: FakeTelegram[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function startFake(): Promise<FakeTelegram> {
  const fake = await FakeTelegram.start({ validToken: TOKEN });
  fakes.push(fake);
  return fake;
}

/** A closed port on 127.0.0.1: connections are refused. */
async function refusedApiRoot(): Promise<string> {
  const f = await FakeTelegram.start();
  const root = f.apiRoot;
  await f.close();
  return root;
}

describe("TelegramChannel against a fake Bot API", () => {
  it("sends HTML to the chat with the token in the path and edits the same message", async () => {
    const fake = await startFake();
    const channel = new TelegramChannel({ token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null });
    const id = await channel.send("<b>hola</b> &amp; adiós");
    await channel.edit(id, "<b>editado</b>");
    await channel.edit(id, "<b>editado</b>"); // "message is not modified" is success
    expect(fake.calls.map((c) => [c.method, c.token, c.status])).toEqual([
      ["sendMessage", TOKEN, 200],
      ["editMessageText", TOKEN, 200],
      ["editMessageText", TOKEN, 400],
    ]);
    expect(fake.calls[0]!.payload).toMatchObject({ chat_id: CHAT, text: "<b>hola</b> &amp; adiós", parse_mode: "HTML" });
    expect(fake.messages()).toEqual([{ message_id: id, chat_id: CHAT, text: "<b>editado</b>", parse_mode: "HTML", edits: 1 }]);
    expect(fake.callsTo("getUpdates")).toHaveLength(0);
  });

  it("honours 429 retry_after (auto-retry) and backs off on 5xx until it gets through", async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const channel = new TelegramChannel({ token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null, backoffMs: [10, 20], clock });
    fake.failNext(1, { kind: "429", retryAfterSeconds: 1 });
    fake.failNext(2, { kind: "5xx", status: 502 });
    const started = Date.now();
    const sent = channel.send("tras los errores");
    // our backoff for the two 5xx, on the channel's clock; the 429 wait is auto-retry's, on real time
    await clock.advanceToTimer(10);
    await clock.advanceToTimer(20);
    await sent;
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // waited retry_after = 1 s
    expect(fake.calls.map((c) => c.status)).toEqual([429, 502, 502, 200]);
    expect(clock.pendingTimers()).toBe(0);
    expect(fake.texts()).toEqual(["tras los errores"]);
  });

  it("a 429 asking for longer than maxRetryAfterSeconds is given up, not waited for by a second hand", async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const channel = new TelegramChannel({ token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null, maxRetryAfterSeconds: 5, clock });
    fake.failNext(1, { kind: "429", retryAfterSeconds: 3600 });
    const error = (await channel.send("x").catch((e: unknown) => e)) as TelegramSendError;
    expect(error).toMatchObject({ method: "sendMessage", attempts: 1, decision: "give_up", errorCode: 429 });
    expect(clock.pendingTimers()).toBe(0); // no backoff of ours either
    expect(fake.calls.map((c) => c.status)).toEqual([429]);
  });

  it("gives up at once on 4xx with a redacted TelegramSendError", async () => {
    const fake = await startFake();
    const channel = new TelegramChannel({ token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null });
    fake.failNext(1, { kind: "error", status: 400, description: "Bad Request: chat not found" });
    const error = (await channel.send("x").catch((e: unknown) => e)) as TelegramSendError;
    expect(error).toBeInstanceOf(TelegramSendError);
    expect(error).toMatchObject({ method: "sendMessage", attempts: 1, decision: "give_up", errorCode: 400 });
    expect(error.message).toContain("chat not found");
    expect(fake.calls).toHaveLength(1);
  });

  it("a wrong token fails with 401 and the token appears nowhere in the error", async () => {
    const fake = await startFake();
    const wrong = "999:WRONGtoken";
    const channel = new TelegramChannel({ token: wrong, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null });
    const error = (await channel.send("x").catch((e: unknown) => e)) as Error;
    expect((error as TelegramSendError).errorCode).toBe(401);
    expect(`${error.message} ${error.stack}`).not.toContain(wrong);
  });

  it("stops after maxAttempts when the server is unreachable; the token is never in the error or the log", async () => {
    const { lines, logger } = captureLogger();
    const channel = new TelegramChannel({
      token: TOKEN,
      chatId: CHAT,
      apiRoot: await refusedApiRoot(),
      cloudApiRoot: null,
      maxAttempts: 3,
      backoffMs: [1],
      maxUnreachableMs: 0,
      logger,
    });
    const error = (await channel.send("x").catch((e: unknown) => e)) as TelegramSendError;
    expect(error).toMatchObject({ attempts: 3, decision: "backoff", errorCode: null });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(lines.length).toBeGreaterThan(0);
    expect([error.message, ...lines].join("\n")).not.toContain(TOKEN);
    expect([error.message, ...lines].join("\n")).not.toContain("AAtest");
  });

  it("falls back to the cloud API while the local Bot API is unreachable", async () => {
    const cloud = await startFake();
    const local = await startFake();
    const clock = new VirtualClock();
    const { lines, logger } = captureLogger();
    const channel = new TelegramChannel({
      token: TOKEN,
      chatId: CHAT,
      apiRoot: local.apiRoot,
      cloudApiRoot: cloud.apiRoot,
      localRetryAfterMs: 1000,
      clock,
      logger,
    });
    await channel.send("por el local");
    await local.goDown(60_000);
    await channel.send("por la nube 1");
    await channel.send("por la nube 2"); // local is not tried again for localRetryAfterMs
    expect(local.texts()).toEqual(["por el local"]);
    expect(cloud.texts()).toEqual(["por la nube 1", "por la nube 2"]);
    expect(lines.filter((l) => l.includes("local Bot API unreachable"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain(TOKEN);
    clock.jump(1000); // time to try the local one again: still down → cloud again
    await channel.send("por la nube 3");
    expect(cloud.texts()).toHaveLength(3);
  });

  it("checks the token with getMe, never getUpdates", async () => {
    const fake = await startFake();
    const channel = new TelegramChannel({ token: TOKEN, chatId: CHAT, apiRoot: fake.apiRoot, cloudApiRoot: null });
    expect(await channel.getBotUsername()).toBe("fake_bot");
    expect(fake.calls.map((c) => c.method)).toEqual(["getMe"]);
  });
});
