import { describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { createLineActivity } from "../../src/checks/index.js";
import { buildChecksFromConfig } from "../../src/engine/build-checks-from-config.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-checks-");

describe("buildChecksFromConfig", () => {
  it("builds one check per configured entry, from the validated config", async () => {
    const dir = newTempDir();
    writeFileSync(
      join(dir, "vigia.config.yaml"),
      [
        "checks:",
        "  disk: { paths: ['.', logs], warn_gb: 5, critical_gb: 2 }",
        "  bot_api: { url: 'http://127.0.0.1:1', attempts: 2, every: 1 }",
        "  http:",
        "    - { name: backend, url: 'http://127.0.0.1:8000/health', expect_json: { status: ok } }",
        "  process:",
        "    - { name: bot, pidfile: logs/bot.pid }",
        "  silence:",
        "    - { source: bot, max_quiet: 600 }",
        "  exec:",
        "    - { name: docker, command: [docker, inspect, x], expect_output: '^true' }",
      ].join("\n"),
    );
    const { config } = await loadConfig({ cwd: dir, env: {} });
    const checks = buildChecksFromConfig(config.checks, createLineActivity());
    expect(checks.map((c) => [c.kind, c.errorType])).toEqual([
      ["disk", "disco_lleno"],
      ["disk", "disco_lleno"],
      ["bot_api", "servidor_caido"],
      ["http", "servicio_caido"],
      ["process", "proceso_caido"],
      ["silence", "log_silencioso"],
      ["exec", "comando_fallido"],
    ]);
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
  });

  it("builds only the disk check from the defaults", async () => {
    const dir = newTempDir();
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(buildChecksFromConfig(config.checks, createLineActivity()).map((c) => c.kind)).toEqual(["disk"]);
  });
});
