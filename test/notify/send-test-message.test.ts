import { afterEach, describe, expect, it } from "@jest/globals";
import { sendTestMessage } from "../../src/notify/send-test-message.js";
import { FakeTelegram, FakeWebhookReceiver } from "../helpers/fake-telegram.js";

const TOKEN = "42:AAnotify-test";
let fake: FakeTelegram | undefined;
let hook: FakeWebhookReceiver | undefined;
afterEach(async () => {
  await fake?.close();
  await hook?.close();
  fake = hook = undefined;
});

describe("sendTestMessage (vigia notify-test)", () => {
  it("sends one message through every configured channel and reports each", async () => {
    fake = await FakeTelegram.start({ validToken: TOKEN });
    hook = await FakeWebhookReceiver.start();
    const results = await sendTestMessage(
      { telegram: { token: TOKEN, chatId: "4242", apiRoot: fake.apiRoot }, webhook: { url: hook.url }, telegramRetry: { cloudApiRoot: null } },
      new Date("2024-05-01T10:00:00Z"),
    );
    expect(results).toEqual([
      { channel: "telegram", ok: true, detail: "sent message 1 to chat 4242" },
      { channel: "webhook", ok: true, detail: `POST ${new URL(hook.url).origin} → HTTP 200` },
    ]);
    expect(fake.calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(fake.texts()[0]).toMatch(/^🧪 <b>vigia notify-test desde .+ a las 2024-05-01T10:00:00.000Z/);
    expect(hook.requests[0]!.body).toMatchObject({ event: "test" });
  });

  it("reports Telegram off without a token, and a failure without leaking the token", async () => {
    expect(await sendTestMessage({})).toEqual([{ channel: "telegram", ok: false, off: true, detail: "off: no notify.telegram.token (TELEGRAM_TOKEN)" }]);
    fake = await FakeTelegram.start({ validToken: "other:token" });
    const [r] = await sendTestMessage({ telegram: { token: TOKEN, chatId: 1, apiRoot: fake.apiRoot }, telegramRetry: { cloudApiRoot: null } });
    expect(r).toMatchObject({ channel: "telegram", ok: false });
    expect(r!.detail).toContain("401");
    expect(r!.detail).not.toContain(TOKEN);
  });
});
