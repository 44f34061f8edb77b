import { sendTestMessage } from "../notify/index.js";
import { loadCliConfig } from "./load-cli-config.js";

/** `vigia notify-test`: one message through every configured channel; exit 0 when all went out. */
export async function runNotifyTestCommand(values: Record<string, unknown>): Promise<number> {
  const loaded = await loadCliConfig(values["config"]);
  if (!loaded) return 1;
  const n = loaded.config.notify;
  if (!n.telegram?.token && !n.webhook) {
    process.stderr.write("vigia notify-test: no channel configured (set TELEGRAM_TOKEN and ADMIN_ID, or notify.webhook)\n");
    return 1;
  }
  const results = await sendTestMessage({
    telegram: n.telegram ? { token: n.telegram.token, chatId: n.telegram.chatId, apiRoot: n.telegram.apiRoot } : null,
    webhook: n.webhook,
  });
  for (const r of results) process.stdout.write(`${r.channel}: ${r.ok ? "sent" : "FAILED"} — ${r.detail}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
