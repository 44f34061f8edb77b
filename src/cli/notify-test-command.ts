import { sendTestMessage, TEST_MESSAGE_DEADLINE_MS, toAlertTelegramSettings } from "../notify/index.js";
import { loadCliConfig } from "./load-cli-config.js";
import { UsageError } from "./main.js";

/**
 * `vigia notify-test`: one message through every configured channel; exit 0 when all went out. Gives up after
 * `--timeout` seconds (15) with the reason, so an unreachable Bot API never leaves the operator at a silent prompt.
 */
export async function runNotifyTestCommand(values: Record<string, unknown>): Promise<number> {
  const deadlineMs = parseTimeoutMs(values["timeout"]);
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const n = loaded.config.notify;
  if (!n.telegram?.token && !n.webhook && !n.email) {
    process.stderr.write("vigia notify-test: no channel configured (set TELEGRAM_TOKEN and ADMIN_ID, notify.webhook or notify.email)\n");
    return 1;
  }
  const results = await sendTestMessage({
    telegram: toAlertTelegramSettings(n.telegram),
    webhook: n.webhook,
    email: n.email,
  }, new Date(), deadlineMs);
  for (const r of results) process.stdout.write(`${r.channel}: ${r.off ? "off" : r.ok ? "sent" : "FAILED"} — ${r.detail.replace(/^off: /, "")}\n`);
  const tried = results.filter((r) => !r.off);
  return tried.length > 0 && tried.every((r) => r.ok) ? 0 : 1;
}

/** `--timeout SECONDS` in ms; the default when absent. */
function parseTimeoutMs(raw: unknown): number {
  if (raw === undefined) return TEST_MESSAGE_DEADLINE_MS;
  const seconds = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout: expected a positive number of seconds, got '${String(raw)}'`);
  }
  return Math.round(seconds * 1000);
}
