import { describe, expect, it } from "@jest/globals";
import { buildChecks, type ChecksConfig } from "../../src/checks/build-checks.js";
import { createLineActivity } from "../../src/checks/line-activity.js";
import { DEFAULT_FLAP_POLICY } from "../../src/checks/check-state.js";

const activity = createLineActivity();

describe("buildChecks", () => {
  it("builds the bot's example config with config units turned into milliseconds", () => {
    const config: ChecksConfig = {
      interval: 20,
      flap: { count: 4, within: 300 },
      disk: { paths: [".", "modelos"], warn_gb: 5, critical_gb: 2 },
      bot_api: { url: "http://localhost:8081", attempts: 3, every: 10 },
      http: [{ name: "backend", url: "http://127.0.0.1:8000/health", failure_threshold: 2, timeout: 5, expect_json: { status: "ok" } }],
      process: [{ name: "bot", pidfile: "logs/bot.pid", restart: ["python3", "main.py"], max_restarts: 3 }],
      silence: [{ source: "bot", max_quiet: 600 }],
      exec: [{ name: "docker", command: ["docker", "inspect", "-f", "{{.State.Running}}", "telegram-bot-api"], expect_output: "^true" }],
    };
    const built = buildChecks(config, { baseDir: "/srv/bot", activity, knownSources: ["bot", "backend"] });
    expect(built.problems).toEqual([]);
    expect(built.intervalMs).toBe(20_000);
    expect(built.flap).toEqual({ count: 4, withinMs: 300_000 });
    expect(built.checks.map((c) => c.id)).toEqual([
      "disk:.",
      "disk:modelos",
      "bot_api",
      "http:backend",
      "process:bot",
      "silence:bot",
      "exec:docker",
    ]);
    const byId = new Map(built.checks.map((c) => [c.id, c]));
    expect(byId.get("bot_api")).toMatchObject({ intervalMs: 10_000, failureThreshold: 3 });
    expect(byId.get("http:backend")).toMatchObject({ failureThreshold: 2, timeoutMs: 6000 });
    expect(built.processChecks.get("bot")!.id).toBe("process:bot");
  });

  it("uses defaults for an empty section and skips bot_api when disabled", () => {
    const built = buildChecks({ disk: {}, bot_api: { enabled: false } }, { activity });
    expect(built.intervalMs).toBe(30_000);
    expect(built.flap).toEqual(DEFAULT_FLAP_POLICY);
    expect(built.checks.map((c) => c.id)).toEqual(["disk:."]);
    expect(buildChecks(undefined, { activity }).checks).toEqual([]);
    expect(buildChecks({ flap: null }, { activity }).flap).toBeNull();
  });

  it("skips each misconfigured entry with a message naming its field, and keeps the rest", () => {
    const built = buildChecks(
      {
        disk: { warn_gb: 1, critical_gb: 3 },
        http: [
          { name: "ok", url: "http://127.0.0.1:1/health" },
          { name: "bad", url: "ftp://secret-token@host/x" },
          { name: "ok", url: "http://127.0.0.1:2/health" },
          { url: "http://x/", expect_status: 42 } as never,
        ],
        process: [{ name: "bot" }, { name: "bad-regex", pattern: "main(.py" }],
        silence: [{ source: "nope", max_quiet: 10 }, { source: "bot" }],
        exec: [{ name: "e", command: [] }],
      },
      { activity, knownSources: ["bot"] },
    );
    expect(built.checks.map((c) => c.id)).toEqual(["http:ok"]);
    const messages = built.problems.map((p) => `${p.field}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "checks.disk.critical_gb: expected a value <= warn_gb (1), got 3; check skipped",
        "checks.http[1].url: expected an http:// or https:// URL; check skipped",
        "checks.http[2]: duplicate check http:ok; check skipped",
        "checks.http[3].name: expected a non-empty string, got nothing; check skipped",
        "checks.http[3].expect_status: expected an HTTP status (100-599) or a list of them, got 42; check skipped",
        "checks.process[0]: expected exactly one of pidfile or pattern; check skipped",
        "checks.silence[0].source: expected one of the configured sources (bot), got \"nope\"; check skipped",
        "checks.silence[1].max_quiet: expected a number of seconds > 0, got nothing; check skipped",
        "checks.exec[0].command: expected a non-empty list of strings, got []; check skipped",
      ]),
    );
    expect(messages.find((m) => m.startsWith("checks.process[1].pattern"))).toMatch(/expected a valid regex/);
    expect(messages.join("\n")).not.toContain("secret-token");
  });

  it("wires a silence check to the process check of the same name", async () => {
    let nowMs = 0;
    const lines = createLineActivity();
    const built = buildChecks(
      { process: [{ name: "bot", pidfile: "/nonexistent/bot.pid" }], silence: [{ source: "bot", max_quiet: 1 }] },
      { activity: lines, nowMs: () => nowMs },
    );
    const [processCheck, silence] = built.checks;
    nowMs = 5000;
    await processCheck!.probe(new AbortController().signal); // the bot is gone
    const probe = await silence!.probe(new AbortController().signal);
    expect(probe.ok).toBe(true);
    expect(probe.message).toMatch(/process not running/);
  });
});
