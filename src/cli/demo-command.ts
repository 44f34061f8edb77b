import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { loadConfig } from "../config/index.js";
import { Engine } from "../engine/engine.js";
import { createConsoleLogger } from "../observe/logger.js";
import type { Incident } from "../types.js";
import { FakeTelegram } from "../devtools/fake-telegram.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** How long the demo lets remediation run before it stops and shows what happened. */
const DEMO_MAX_MS = 15_000;
/** Shaped like a real token so the redaction paths run; the fake server accepts any. */
const DEMO_TOKEN = "123456789:AAdemo-token-for-the-fake-bot-api-0000";

/**
 * `vigia demo` (`npm run demo`): copies the shipped rules and a config into a temp folder, replays
 * fixtures/bot_central.log and fixtures/backend.log through the real engine (tailer, grouping, rules, incidents,
 * executor, journal), then prints every incident and the jq summary. `--telegram` sends the alerts through grammY to
 * a fake Bot API on 127.0.0.1 and prints what it received.
 */
export async function runDemoCommand(values: Record<string, unknown>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "vigia-demo-"));
  cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
  mkdirSync(join(dir, "modelos", "pedro"), { recursive: true });
  writeFileSync(
    join(dir, "vigia.config.yaml"),
    [
      "# vigia demo: fixtures replayed into a temp folder; short backoff so the demo ends in seconds",
      "remediation:",
      "  allowed_roots: [modelos]",
      "  backoff: [0.5, 1, 2]",
      "checks:",
      "  disk: null",
      "status: null",
      "",
    ].join("\n"),
  );
  process.stdout.write(`demo folder: ${dir}\n`);
  // With --telegram, alerts really go out through grammY to a fake Bot API on 127.0.0.1, which records them.
  const fake = values["telegram"] ? await FakeTelegram.start() : null;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "" };
  if (fake) Object.assign(env, { TELEGRAM_TOKEN: DEMO_TOKEN, ADMIN_ID: "1000" });
  const loadedConfig = await loadConfig({ cwd: dir, env });
  const config = fake && loadedConfig.config.notify.telegram
    ? { ...loadedConfig.config, notify: { ...loadedConfig.config.notify, telegram: { ...loadedConfig.config.notify.telegram, apiRoot: fake.apiRoot } } }
    : loadedConfig.config;
  const logger = createConsoleLogger({ consoleLevel: "info" });
  const engine = new Engine({ config, logger, checkpointEveryMs: 200 });
  await engine.start();
  mkdirSync(join(dir, "logs"), { recursive: true });
  for (const [fixture, target] of [["bot_central.log", "bot_central.log"], ["backend.log", "backend.log"]]) {
    writeFileSync(join(dir, "logs", target!), readFileSync(join(REPO, "fixtures", fixture!)));
  }
  const deadline = Date.now() + DEMO_MAX_MS;
  await new Promise((r) => setTimeout(r, 1500));
  while (Date.now() < deadline && engine.manager.listOpen().length > 0) await new Promise((r) => setTimeout(r, 250));
  const report = await engine.stop();
  await logger.close();
  if (fake) {
    process.stdout.write(`\nMessages the fake Bot API received (${fake.apiRoot}):\n`);
    for (const text of fake.texts()) process.stdout.write(`${text.replace(/^/gm, "  │ ")}\n  └──\n`);
    await fake.close();
  }
  process.stdout.write("\nIncidents:\n");
  for (const i of report.incidents) process.stdout.write(formatIncidentLine(i));
  process.stdout.write(`\n${report.summary.text}\n`);
  const journal = config.journalPath;
  if (existsSync(journal)) {
    process.stdout.write(`\n$ jq -r '.[].error_type' ${journal} | sort | uniq -c\n`);
    try {
      const types = execFileSync("jq", ["-r", ".[].error_type", journal], { encoding: "utf8" });
      const counts = new Map<string, number>();
      for (const t of types.split("\n").filter(Boolean)) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, n] of [...counts].sort()) process.stdout.write(`${String(n).padStart(7)} ${t}\n`);
    } catch {
      process.stdout.write("  (jq is not installed: apt-get install jq)\n");
    }
  }
  if (values["keep"]) process.stdout.write(`\nkept: ${dir}\n`);
  else {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`\nremoved ${dir} (vigia demo --keep keeps it)\n`);
  }
  return 0;
}

function formatIncidentLine(i: Incident): string {
  const path = i.transiciones.map((t) => t.estado).join(" → ");
  return `  ${i.error_type.padEnd(17)} ${i.estado.padEnd(12)} ${(i.video ?? i.campos["path"] ?? "").slice(0, 48).padEnd(48)} ${path}\n    accion: ${i.accion ?? "—"}\n`;
}
