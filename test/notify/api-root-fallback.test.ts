// An api_root the operator wrote is the only server alerts go to: when it is down they wait (and finally fail),
// they never go to the cloud API instead. Only the local Bot API implied by USE_LOCAL_BOT_API falls back to the
// cloud while it is unreachable. The config is read from a real file; "the cloud" is a second fake Bot API.
import { afterEach, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { Notifier } from "../../src/notify/notifier.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { advance, makeIncident, makeMissingPathRule } from "../helpers/make-incident.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-apiroot-");

const TOKEN = "5550001:AAsecret-fallback_token";

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

/** The Telegram settings vigia reads from `config` (a vigia.config.yaml) and `env`, as `vigia run` passes them on. */
async function readTelegram(config: string, env: Record<string, string>) {
  const dir = newTempDir();
  writeFileSync(join(dir, "vigia.config.yaml"), config);
  const { config: loaded } = await loadConfig({ cwd: dir, env: { TELEGRAM_TOKEN: TOKEN, ADMIN_ID: "4242", ...env } });
  return loaded.notify.telegram!;
}

/** Sends one fallido alert through a notifier on `telegram`, "the cloud" being `cloud`; resolves with its stats. */
async function alertOnce(telegram: Awaited<ReturnType<typeof readTelegram>>, cloud: FakeTelegram) {
  const { logger, lines } = captureLogger();
  const notifier = new Notifier({
    telegram,
    logger,
    telegramRetry: { cloudApiRoot: cloud.apiRoot, backoffMs: [10], maxAttempts: 3, maxUnreachableMs: 0 },
  });
  notifier.notify({ type: "transition", incident: advance(makeIncident({ id: "caida" }), "fallido"), rule: makeMissingPathRule() });
  await notifier.drain();
  const stats = await notifier.close({ timeoutMs: 1000 });
  return { stats, lines };
}

describe("notify.telegram.api_root and the cloud API", () => {
  it("an api_root written in the config is never replaced by the cloud API when it is down", async () => {
    const cloud = await startFake();
    const local = await startFake();
    await local.goDown(60_000);
    const telegram = await readTelegram(`notify: { telegram: { api_root: '${local.apiRoot}' } }\n`, {});
    const { stats, lines } = await alertOnce(telegram, cloud);
    expect(cloud.calls).toEqual([]);
    expect(stats).toMatchObject({ sent: 0, failed: 1 });
    expect(lines.join("\n")).not.toMatch(/cloud/);
  });

  it("written as ${TELEGRAM_BOT_API_LOCAL_URL}, it is still the operator's choice: no fallback", async () => {
    const cloud = await startFake();
    const local = await startFake();
    await local.goDown(60_000);
    const telegram = await readTelegram("notify: { telegram: { api_root: '${TELEGRAM_BOT_API_LOCAL_URL}' } }\n", {
      TELEGRAM_BOT_API_LOCAL_URL: local.apiRoot,
    });
    const { stats } = await alertOnce(telegram, cloud);
    expect(cloud.calls).toEqual([]);
    expect(stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it("the local Bot API implied by USE_LOCAL_BOT_API falls back to the cloud while it is down", async () => {
    const cloud = await startFake();
    const local = await startFake();
    await local.goDown(60_000);
    const telegram = await readTelegram("checks: { disk: null }\n", { USE_LOCAL_BOT_API: "true", TELEGRAM_BOT_API_LOCAL_URL: local.apiRoot });
    expect(telegram.apiRoot).toBe(local.apiRoot);
    const { stats, lines } = await alertOnce(telegram, cloud);
    expect(cloud.texts()).toHaveLength(1);
    expect(stats).toMatchObject({ sent: 1, failed: 0 });
    expect(lines.some((l) => l.includes("local Bot API unreachable, using the cloud API"))).toBe(true);
  });
});
