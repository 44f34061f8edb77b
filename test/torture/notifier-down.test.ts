// Torture: the Telegram API the notifier talks to (a fake Bot API server, test/helpers/fake-telegram.ts)
// refuses connections for 60 s (TORTURE_FULL=1; 10 s by default, TORTURE_NOTIFY_DOWN_MS to choose) while the bot
// keeps logging. The pipeline must not slow down (notify() never waits for the network) and every alert raised
// during the outage must reach the chat once the API is back.
import { describe, it, expect, afterAll } from "@jest/globals";
import { appendFileSync, statSync, writeFileSync } from "node:fs";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { VigiaProcess, fetchJson, formatLogTimestamp, killAllChildren, pickSize, readJournalIfAny, reportFigure, writeVigiaSetup } from "./helpers/torture-kit.js";

const DOWN_MS = Number(process.env.TORTURE_NOTIFY_DOWN_MS ?? pickSize(10_000, 60_000));
const BLOCK_LINES = pickSize(100_000, 400_000);
/** Alerts per block: under notify.max_per_minute (20), so each gets a message of its own instead of a digest. */
const ALERTS_PER_BLOCK = 4;

const temp = makeTempDir();
let fake: FakeTelegram | null = null;
afterAll(async () => {
  await killAllChildren();
  await fake?.close();
  temp.cleanup();
});

/** `lines` bot records; `alerts` of them are `corrupto` errors (notify: always) for `modelos/<prefix>-<i>/v.mp4`. */
function buildBlock(lines: number, alerts: number, prefix: string): { text: string; ids: string[] } {
  const ts = formatLogTimestamp();
  const ids: string[] = [];
  const every = Math.floor(lines / alerts);
  let text = "";
  for (let i = 1; i <= lines; i++) {
    if (i % every === 0 && ids.length < alerts) {
      const id = `${prefix}-${ids.length + 1}`;
      ids.push(id);
      text += `${ts} - bot_central - ERROR - Video corrupto: modelos/${id}/v.mp4: Invalid data found when processing input\n`;
    } else {
      text += `${ts} - httpx - INFO - HTTP Request: POST http://localhost:8081/bot***/getUpdates "HTTP/1.1 200 OK" ${i}\n`;
    }
  }
  return { text, ids };
}

describe("torture: the notifier's API down", () => {
  it(`keeps the pipeline at full speed and delivers the alerts after ${DOWN_MS / 1000} s down`, async () => {
    fake = await FakeTelegram.start();
    const setup = writeVigiaSetup(temp.dir, {
      extraYaml: [`notify: { telegram: { token: '123456:torture', chat_id: 42, api_root: '${fake.apiRoot}' }, max_per_minute: 20 }`],
    });
    writeFileSync(setup.logPath, "");
    const vigia = VigiaProcess.start(setup, ["--dry-run"]);
    const { statusPort } = await vigia.waitForBanner();
    expect(statusPort).not.toBeNull();
    const offset = async (): Promise<number> => Number(((await fetchJson(statusPort!, "/health")).sources as Array<{ offset: number }>)[0]!.offset);

    /** Appends a block and resolves with the ms vigia took to read all of it. */
    const timeCatchUp = async (block: { text: string }): Promise<number> => {
      appendFileSync(setup.logPath, block.text);
      const size = statSync(setup.logPath).size;
      const t = Date.now();
      for (;;) {
        if ((await offset()) >= size) return Date.now() - t;
        if (Date.now() - t > 60_000) throw new Error("vigia did not catch up within 60 s");
        await sleepMs(10);
      }
    };
    const delivered = (id: string): boolean => fake!.texts().some((t) => t.includes(`modelos/${id}/`));

    const warm = buildBlock(BLOCK_LINES, ALERTS_PER_BLOCK, "up");
    const upMs = await timeCatchUp(warm);
    await waitFor(() => warm.ids.every(delivered), { what: "alerts while the API is up", everyMs: 50 });

    await fake.goDown(DOWN_MS);
    const downAt = Date.now();
    const during = buildBlock(BLOCK_LINES, ALERTS_PER_BLOCK, "down");
    const downMs = await timeCatchUp(during);
    const inJournal = (id: string): boolean => readJournalIfAny(setup.journalPath).some((e) => e.modelo === id);
    const journaledDuringOutage = await waitFor(
      () => during.ids.every(inJournal),
      { what: "the outage's incidents in the journal", timeoutMs: 3000 },
    ).then(
      () => true,
      () => false,
    );
    // A second wave in the middle of the outage, when retries are under way.
    await sleepMs(Math.max(0, DOWN_MS / 2 - (Date.now() - downAt)));
    const mid = buildBlock(BLOCK_LINES / 4, 2, "mid");
    const midMs = await timeCatchUp(mid);
    expect(fake.isDown).toBe(true); // both waves really happened during the outage

    const lost = [...during.ids, ...mid.ids];
    let deliveredAfterMs = -1;
    try {
      // The channel may have switched to the cloud API for 60 s (local Bot API unreachable): allow that and retries.
      await waitFor(() => lost.every(delivered), { what: "the outage's alerts after recovery", timeoutMs: DOWN_MS + 75_000, everyMs: 200 });
      deliveredAfterMs = Date.now() - (downAt + DOWN_MS);
    } catch {
      /* reported below */
    }
    const health = await fetchJson(statusPort!, "/health");
    const notifier = health.notifier as Record<string, number>;
    reportFigure("notifier down", {
      down_s: DOWN_MS / 1000,
      block_lines: BLOCK_LINES,
      catch_up_up_ms: upMs,
      catch_up_down_ms: downMs,
      catch_up_mid_outage_ms: midMs,
      journaled_during_outage: journaledDuringOutage,
      alerts_during_outage: lost.length,
      alerts_delivered: lost.filter(delivered).length,
      not_delivered: lost.filter((id) => !delivered(id)).join(",") || "none",
      delivered_after_recovery_ms: deliveredAfterMs,
      sent: notifier.sent,
      failed: notifier.failed,
      dropped: notifier.dropped,
      queued: notifier.queued,
    });
    vigia.kill("SIGTERM");
    await vigia.exited;
    if (!lost.every(delivered)) {
      const notes = vigia.output().split("\n").filter((l) => /telegram|alert|cloud|Bot API/i.test(l));
      console.log(`vigia's notifier log (last lines):\n${notes.slice(-15).join("\n")}`);
    }
    expect(journaledDuringOutage).toBe(true);
    expect(downMs).toBeLessThanOrEqual(Math.max(2 * upMs, upMs + 1000));
    expect(lost.filter((id) => !delivered(id))).toEqual([]);
  });
});
