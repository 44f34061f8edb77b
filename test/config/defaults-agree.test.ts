/**
 * One default, three readers: the reference (generated from the schema's descriptions), the config loaded from a
 * file that leaves the key out, and the check built without the value. They must say the same thing.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_SCHEMA } from "../../src/config/config-schema.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { VigiaConfig } from "../../src/config/types.js";
import { listSchemaRows, type SchemaNode } from "../../src/devtools/render-schema-table.js";
import { buildChecksFromConfig } from "../../src/engine/build-checks-from-config.js";
import { createBotApiCheck, createDiskCheck, createExecCheck, createHttpCheck, createLineActivity, createProcessCheck, type Check } from "../../src/checks/index.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-defaults-");
let root: string;
beforeEach(() => {
  root = realpathSync(newTempDir());
});

/** The default the reference states for `key` ("… Default 30."), as a value. */
function documentedDefault(key: string): unknown {
  const row = listSchemaRows(CONFIG_SCHEMA as unknown as SchemaNode).find((r) => r.key === key);
  if (!row) throw new Error(`no ${key} in the schema`);
  const stated = /\bDefault (\S+?)[.,;]?(?:\s|$)/.exec(row.description)?.[1];
  if (stated === undefined) throw new Error(`${key}: the reference states no default: ${row.description}`);
  return JSON.parse(stated);
}

/** Seconds as documented, in the ms the program counts in. */
const documentedMs = (key: string): number => (documentedDefault(key) as number) * 1000;

async function loadChecks(yaml: string): Promise<VigiaConfig["checks"]> {
  writeFileSync(join(root, "vigia.config.yaml"), yaml);
  writeFileSync(join(root, "rules.yaml"), "rules: []\n");
  return (await loadConfig({ cwd: root, env: {}, rules: ["rules.yaml"] })).config.checks;
}

/** What the scheduler and the runner read from a check. */
const timing = (c: Check) => ({ id: c.id, timeoutMs: c.timeoutMs, intervalMs: c.intervalMs, failureThreshold: c.failureThreshold });

/** One item of each check with only its required keys (YAML lines under `checks:`). */
const ITEMS_WITH_REQUIRED_KEYS_ONLY = [
  "  bot_api: {}",
  "  http: [{ name: api, url: 'http://127.0.0.1:1/health' }]",
  "  process: [{ name: bot, pattern: 'main\\.py' }]",
  "  exec: [{ name: docker, command: ['true'] }]",
];

describe("config defaults: the reference, the loaded config and the checks agree", () => {
  it("an empty config file loads the documented check cadence, flap policy and disk thresholds", async () => {
    const checks = await loadChecks("");
    expect(checks.intervalMs).toBe(documentedMs("checks.interval"));
    expect(checks.flap).toEqual({ count: documentedDefault("checks.flap.count"), withinMs: documentedMs("checks.flap.within") });
    expect(checks.disk).toMatchObject({
      warnGb: documentedDefault("checks.disk.warn_gb"),
      criticalGb: documentedDefault("checks.disk.critical_gb"),
      timeoutMs: documentedMs("checks.disk.timeout"),
    });
  });

  it("an item that gives only its required keys loads the documented defaults of the others", async () => {
    const checks = await loadChecks(["checks:", ...ITEMS_WITH_REQUIRED_KEYS_ONLY, ""].join("\n"));
    expect(checks.botApi).toMatchObject({
      url: documentedDefault("checks.bot_api.url"),
      attempts: documentedDefault("checks.bot_api.attempts"),
      everyMs: documentedMs("checks.bot_api.every"),
      timeoutMs: documentedMs("checks.bot_api.timeout"),
    });
    expect(checks.http[0]).toMatchObject({
      method: documentedDefault("checks.http[].method"),
      timeoutMs: documentedMs("checks.http[].timeout"),
      failureThreshold: documentedDefault("checks.http[].failure_threshold"),
    });
    expect(checks.process[0]).toMatchObject({
      maxRestarts: documentedDefault("checks.process[].max_restarts"),
      restartWindowMs: documentedMs("checks.process[].restart_window"),
      timeoutMs: documentedMs("checks.process[].timeout"),
    });
    expect(checks.exec[0]).toMatchObject({ timeoutMs: documentedMs("checks.exec[].timeout") });
  });

  it("checks built from that config time out, repeat and count failures as checks built with no values do", async () => {
    const checks = await loadChecks(["checks:", "  disk: { paths: ['.'] }", ...ITEMS_WITH_REQUIRED_KEYS_ONLY, ""].join("\n"));
    const fromConfig = buildChecksFromConfig(checks, createLineActivity()).map(timing);
    const bare = [
      createDiskCheck({ path: root }),
      createBotApiCheck(),
      createHttpCheck({ name: "api", url: "http://127.0.0.1:1/health" }),
      createProcessCheck({ name: "bot", pattern: /main\.py/ }),
      createExecCheck({ name: "docker", command: ["true"] }),
    ].map(timing);
    expect(fromConfig).toEqual(bare);
  });

  it("a disk check built with no thresholds warns and turns critical at the documented free space", async () => {
    const warnGb = documentedDefault("checks.disk.warn_gb") as number;
    const criticalGb = documentedDefault("checks.disk.critical_gb") as number;
    const levelAt = async (freeGb: number): Promise<string | undefined> => {
      const check = createDiskCheck({ path: root, readDiskSpace: async () => ({ free: freeGb * 1024 ** 3, size: 100 * 1024 ** 3, diskPath: "/" }) });
      return (await runCheckOnce(check)).fields.level;
    };
    expect(await levelAt(warnGb + 0.1)).toBe("ok");
    expect(await levelAt(warnGb - 0.1)).toBe("warning");
    expect(await levelAt(criticalGb - 0.1)).toBe("critical");
  });
});
