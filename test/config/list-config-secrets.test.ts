import { beforeEach, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import { listConfigSecrets } from "../../src/config/list-config-secrets.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-describe-");

const TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0";
const COMMANDS_TOKEN = "987654321:ZZHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0";

let root: string;
beforeEach(() => {
  root = newTempDir();
  writeFileSync(
    join(root, "vigia.config.yaml"),
    [
      "notify:",
      "  telegram: { token: '${TELEGRAM_TOKEN}', chat_id: 42, commands_token: '" + COMMANDS_TOKEN + "' }",
      "  webhook: { url: 'https://hooks.example.org/services/T000/B000/XXXXSECRETPATH', headers: { Authorization: 'Bearer webhook-secret-1' } }",
      "checks:",
      "  http: [{ name: api, url: 'http://127.0.0.1:8000/health', headers: { X-Api-Key: 'http-check-secret' } }]",
      "  process: [{ name: bot, pattern: 'main\\.py' }]",
      "supervise:",
      "  - { name: bot, command: [python3, main.py], env: { DB_PASSWORD: 'child-env-secret' } }",
    ].join("\n"),
  );
});

describe("listConfigSecrets", () => {
  it("lists the tokens, the webhook URL and header values for the logger to redact", async () => {
    const { config } = await loadConfig({ cwd: root, env: { TELEGRAM_TOKEN: TOKEN } });
    expect(listConfigSecrets(config).sort()).toEqual(
      [TOKEN, COMMANDS_TOKEN, "https://hooks.example.org/services/T000/B000/XXXXSECRETPATH", "Bearer webhook-secret-1", "http-check-secret"].sort(),
    );
  });
});
