import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { CONFIG_SCHEMA } from "../../src/config/config-schema.js";

interface SchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

/** Every declared key with its dotted path and schema node. */
function listKeys(node: SchemaNode, path = ""): Array<{ path: string; key: string; node: SchemaNode; parent: SchemaNode }> {
  const out: Array<{ path: string; key: string; node: SchemaNode; parent: SchemaNode }> = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    out.push({ path: childPath, key, node: child, parent: node });
    out.push(...listKeys(child, childPath));
    if (child.items) out.push(...listKeys(child.items, `${childPath}[]`));
  }
  return out;
}

const keys = listKeys(CONFIG_SCHEMA as unknown as SchemaNode);

describe("CONFIG_SCHEMA", () => {
  it("declares the contract's keys", () => {
    const paths = keys.map((k) => k.path);
    for (const expected of [
      "sources[].name", "sources[].path", "sources[].multiline.start", "sources[].multiline.flush_ms", "sources[].max_line_bytes", "sources[].start_at",
      "rules", "journal", "state_dir", "log_dir", "log_level",
      "remediation.allowed_roots", "remediation.max_retries", "remediation.backoff", "remediation.action_timeout", "remediation.concurrency",
      "remediation.owner", "remediation.sudo", "remediation.quarantine_dir", "remediation.dry_run", "remediation.max_reopen",
      "notify.telegram.token", "notify.telegram.chat_id", "notify.telegram.api_root", "notify.telegram.commands_token",
      "notify.webhook.url", "notify.webhook.headers", "notify.max_per_minute",
      "checks.interval", "checks.disk.paths", "checks.disk.warn_gb", "checks.disk.critical_gb", "checks.disk.timeout",
      "checks.bot_api.enabled", "checks.bot_api.url", "checks.bot_api.attempts", "checks.bot_api.every", "checks.bot_api.timeout",
      "checks.http[].name", "checks.http[].url", "checks.http[].method", "checks.http[].headers", "checks.http[].timeout",
      "checks.http[].expect_status", "checks.http[].expect_json", "checks.http[].failure_threshold",
      "checks.process[].name", "checks.process[].pidfile", "checks.process[].pattern", "checks.process[].restart",
      "checks.process[].max_restarts", "checks.process[].restart_window", "checks.process[].timeout",
      "checks.silence[].source", "checks.silence[].max_quiet", "checks.silence[].process",
      "checks.exec[].name", "checks.exec[].command", "checks.exec[].timeout",
      "checks.exec[].expect_output", "checks.exec[].error_type", "checks.exec[].severity",
      "checks.flap.count", "checks.flap.within", "checks.history_days",
      "supervise[].name", "supervise[].command", "supervise[].cwd", "supervise[].env", "supervise[].log", "supervise[].restart",
      "supervise[].max_restarts", "supervise[].restart_backoff", "status.listen", "status.token",
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it("rejects unknown keys in every object that declares its keys", () => {
    const objects = [CONFIG_SCHEMA as unknown as SchemaNode, ...keys.map((k) => k.node), ...keys.flatMap((k) => (k.node.items ? [k.node.items] : []))];
    const declaring = objects.filter((n) => n.properties);
    expect(declaring.length).toBeGreaterThan(15);
    for (const node of declaring) expect(node.additionalProperties).toBe(false);
  });

  it("documents every key, with its unit for durations and sizes", () => {
    for (const { path, node } of keys) {
      expect([path, typeof node.description]).toEqual([path, "string"]);
    }
    const durations = ["interval", "every", "timeout", "action_timeout", "restart_window", "max_quiet", "within", "backoff", "restart_backoff"];
    for (const { path, key, node } of keys) {
      if (durations.includes(key)) expect([path, /seconds/.test(node.description!)]).toEqual([path, true]);
    }
    const described = Object.fromEntries(keys.map((k) => [k.path, k.node.description!]));
    expect(described["sources[].multiline.flush_ms"]).toMatch(/milliseconds/);
    expect(described["sources[].max_line_bytes"]).toMatch(/bytes/);
    expect(described["checks.disk.warn_gb"]).toMatch(/GB/);
  });

  it("is fully shown in vigia.config.example.yaml", () => {
    const example = readFileSync(new URL("../../vigia.config.example.yaml", import.meta.url), "utf8");
    const missing = keys.filter((k) => !new RegExp(`(^|[\\s{,])${k.key}:`, "m").test(example)).map((k) => k.path);
    expect(missing).toEqual([]);
  });
});
