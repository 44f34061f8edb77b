import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "@jest/globals";
import { mkdirSync, readFileSync, writeFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type LoadedConfig } from "../../src/config/load-config.js";
import { ConfigError } from "../../src/config/config-error.js";
import { PYTHON_LOG_START } from "../../src/config/defaults.js";
import { formatProblem } from "../../src/util/problems.js";
import { listConfigSecrets } from "../../src/config/list-config-secrets.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-config-");

let root: string;

beforeEach(() => {
  root = realpathSync(newTempDir());
});

function write(relativePath: string, text: string): string {
  const path = join(root, relativePath);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Loads expecting failure; returns the printed problems. */
async function loadProblems(options: Parameters<typeof loadConfig>[0]): Promise<string[]> {
  try {
    await loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map(formatProblem);
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig without a config file", () => {
  it("falls back to the rules shipped with vigia when the working folder has no rules/, and says so", async () => {
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(loaded.config.rulePaths).toEqual([fileURLToPath(new URL("../../rules", import.meta.url))]);
    expect(loaded.warnings.map((w) => w.message).join("\n")).toMatch(/using the rules shipped with vigia/);
  });

  it("falls back the same way with a config file that sets no rules (adding a config keeps detection on)", async () => {
    write("vigia.config.yaml", "journal: j.json\n");
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(loaded.config.rulePaths).toEqual([fileURLToPath(new URL("../../rules", import.meta.url))]);
    expect(loaded.warnings.map(formatProblem)).toEqual([
      `vigia.config.yaml:1: rules: no rules/ folder in ${root}: using the rules shipped with vigia (${fileURLToPath(new URL("../../rules", import.meta.url))})`,
    ]);
  });

  it("takes --rules as written: no fallback, no warning", async () => {
    write("vigia.config.yaml", "journal: j.json\n");
    const loaded = await loadConfig({ cwd: root, env: {}, rules: ["mine.yaml"] });
    expect(loaded.config.rulePaths).toEqual([join(root, "mine.yaml")]);
    expect(loaded.warnings).toEqual([]);
  });

  it("uses the contract's defaults relative to the working directory", async () => {
    mkdirSync(join(root, "rules"));
    const loaded = await loadConfig({ cwd: root, env: {} });
    const c = loaded.config;
    expect(loaded.configFile).toBeNull();
    expect(loaded.origin).toBe("defaults");
    expect(c.baseDir).toBe(root);
    expect(c.sources.map((s) => [s.name, s.path, s.multiline?.start.source, s.startAt, s.maxLineBytes])).toEqual([
      ["bot", join(root, "logs/bot_central.log"), PYTHON_LOG_START, "end", 65536],
      ["backend", join(root, "logs/backend.log"), PYTHON_LOG_START, "end", 65536],
    ]);
    expect(c.sources[0]!.multiline!.start.test("2025-12-25 14:30:20,123 - bot - ERROR - x")).toBe(true);
    expect(c.sources[0]!.multiline!.start.test("Traceback (most recent call last):")).toBe(false);
    expect(c.rulePaths).toEqual([join(root, "rules")]);
    expect(c.journalPath).toBe(join(root, "logs/descarga_errors.json"));
    expect(c.stateDir).toBe(join(root, "logs/.vigia"));
    expect(c.logDir).toBe(join(root, "logs"));
    expect(c.logLevel).toBe("info");
    expect(c.status).toEqual({ listen: "127.0.0.1:9464", host: "127.0.0.1", port: 9464, token: null });
    expect(c.remediation).toEqual({
      allowedRoots: [join(root, "modelos")],
      maxRetries: 3,
      backoffMs: [1000, 2000, 4000],
      actionTimeoutMs: 30000,
      concurrency: 4,
      owner: null,
      sudo: false,
      quarantineDir: null,
      dryRun: false,
      maxReopen: 3,
    });
    expect(c.notify).toEqual({ telegram: null, webhook: null, email: null, heartbeat: null, maxPerMinute: 20, newErrorAfter: 5, newErrorWithinMs: 600_000 });
    expect(c.checks.intervalMs).toBe(30000);
    expect(c.checks.disk).toEqual({ paths: [root], warnGb: 5, criticalGb: 2, timeoutMs: 10000, stopSupervised: true });
    expect(c.checks.flap).toEqual({ count: 5, withinMs: 600000 });
    expect(c.checks.botApi).toBeNull();
    expect([c.checks.http, c.checks.process, c.checks.silence, c.checks.exec]).toEqual([[], [], [], []]);
    expect(c.supervise).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.envApplied).toEqual([]);
  });

  it("takes Telegram and the local Bot API from the environment", async () => {
    const env = {
      TELEGRAM_TOKEN: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      ADMIN_ID: "987654",
      USE_LOCAL_BOT_API: "true",
      TELEGRAM_BOT_API_LOCAL_URL: "http://127.0.0.1:8081",
    };
    const { config } = await loadConfig({ cwd: root, env });
    expect(config.notify.telegram).toEqual({
      token: env.TELEGRAM_TOKEN,
      chatId: "987654",
      apiRoot: "http://127.0.0.1:8081",
      fallbackToCloud: true, // implied by USE_LOCAL_BOT_API, not written: the cloud API may stand in
      commandsToken: null,
    });
    expect(config.checks.botApi).toEqual({ url: "http://127.0.0.1:8081", healthUrl: null, attempts: 3, everyMs: 10000, timeoutMs: 5000 });
  });

  it("uses http://localhost:8081 when USE_LOCAL_BOT_API=true names no URL", async () => {
    const { config } = await loadConfig({ cwd: root, env: { USE_LOCAL_BOT_API: "yes" } });
    expect(config.checks.botApi?.url).toBe("http://localhost:8081");
    expect(config.notify.telegram).toBeNull();
  });
});

describe("config file lookup", () => {
  it("reads vigia.config.yaml in the working directory and resolves paths against its folder", async () => {
    write(
      "vigia.config.yaml",
      [
        "sources:",
        "  - name: app",
        "    path: var/app.log",
        "    start_at: beginning",
        "    max_line_bytes: 1024",
        "    multiline: { start: '^\\[', flush_ms: 50 }",
        "rules: [rules/a.yaml, ../shared-rules]",
        "journal: out/journal.json",
        "remediation: { allowed_roots: [modelos, /srv/videos], quarantine_dir: q, backoff: [0.5, 2] }",
      ].join("\n"),
    );
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(loaded.configFile).toBe(join(root, "vigia.config.yaml"));
    expect(loaded.origin).toBe("cwd");
    const c = loaded.config;
    expect(c.sources).toEqual([
      { name: "app", path: join(root, "var/app.log"), multiline: { start: /^\[/, flushIdleMs: 50 }, maxLineBytes: 1024, startAt: "beginning" },
    ]);
    expect(c.rulePaths).toEqual([join(root, "rules/a.yaml"), join(root, "..", "shared-rules")]);
    expect(c.journalPath).toBe(join(root, "out/journal.json"));
    expect(c.remediation.allowedRoots).toEqual([join(root, "modelos"), "/srv/videos"]);
    expect(c.remediation.quarantineDir).toBe(join(root, "q"));
    expect(c.remediation.backoffMs).toEqual([500, 2000]);
    // keys the file leaves out keep their defaults
    expect(c.stateDir).toBe(join(root, "logs/.vigia"));
    expect(c.remediation.maxRetries).toBe(3);
  });

  it("resolves relative paths against the config's folder, not the working directory", async () => {
    write("etc/vigia/vigia.config.yaml", "log_dir: ../../var/log/vigia\nchecks: { disk: { paths: [data] } }\n");
    mkdirSync(join(root, "etc/vigia/rules"));
    mkdirSync(join(root, "elsewhere"));
    const { config } = await loadConfig({ cwd: join(root, "elsewhere"), configPath: "../etc/vigia/vigia.config.yaml", env: {} });
    expect(config.baseDir).toBe(join(root, "etc/vigia"));
    expect(config.logDir).toBe(join(root, "var/log/vigia"));
    expect(config.checks.disk?.paths).toEqual([join(root, "etc/vigia/data")]);
    expect(config.sources[0]!.path).toBe(join(root, "etc/vigia/logs/bot_central.log"));
    expect(config.rulePaths).toEqual([join(root, "etc/vigia/rules")]);
  });

  it("resolves supervise, pidfile and disk paths against the config's folder", async () => {
    write(
      "cfg/vigia.config.yaml",
      [
        "log_dir: out",
        "supervise:",
        "  - { name: bot, command: [python3, main.py], cwd: app }",
        "  - { name: poster, command: [python3, p.py], log: x/poster.log, env: { A: '1' }, restart: always }",
        "checks:",
        "  process: [{ name: bot, pidfile: run/bot.pid }]",
      ].join("\n"),
    );
    const { config } = await loadConfig({ cwd: root, configPath: "cfg/vigia.config.yaml", env: {} });
    const base = join(root, "cfg");
    expect(config.supervise).toEqual([
      { name: "bot", command: ["python3", "main.py"], cwd: join(base, "app"), env: {}, logPath: join(base, "out/bot.log"), restart: "on-failure", maxRestarts: 3, restartBackoffMs: [1000, 2000, 4000] },
      { name: "poster", command: ["python3", "p.py"], cwd: base, env: { A: "1" }, logPath: join(base, "x/poster.log"), restart: "always", maxRestarts: 3, restartBackoffMs: [1000, 2000, 4000] },
    ]);
    expect(config.checks.process).toEqual([
      { name: "bot", pidfile: join(base, "run/bot.pid"), pattern: null, restart: null, restartLogPath: join(base, "logs/bot_central.log"), restartCwd: base, maxRestarts: 3, restartWindowMs: 600000, timeoutMs: 5000 },
    ]);
  });

  it("reads a JSON config", async () => {
    write(
      "vigia.config.json",
      JSON.stringify({
        rules: "my-rules",
        log_level: "debug",
        checks: { interval: 0.25, http: [{ name: "api", url: "http://127.0.0.1:8000/health", expect_status: [200, 204], expect_json: { status: "ok" } }] },
        status: { listen: "9999" },
      }),
    );
    const { config, configFile } = await loadConfig({ cwd: root, env: {} });
    expect(configFile).toBe(join(root, "vigia.config.json"));
    expect(config.rulePaths).toEqual([join(root, "my-rules")]);
    expect(config.logLevel).toBe("debug");
    expect(config.checks.intervalMs).toBe(250);
    expect(config.checks.http).toEqual([
      { name: "api", url: "http://127.0.0.1:8000/health", method: "GET", headers: {}, timeoutMs: 5000, expectStatus: [200, 204], expectJson: { status: "ok" }, failureThreshold: 2 },
    ]);
    expect(config.status).toEqual({ listen: "9999", host: "127.0.0.1", port: 9999, token: null });
  });

  it("prefers .yaml over .json in the working directory and warns about the one ignored", async () => {
    write("vigia.config.yaml", "journal: from-yaml.json\n");
    write("vigia.config.json", '{"journal": "from-json.json"}');
    mkdirSync(join(root, "rules"));
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(loaded.config.journalPath).toBe(join(root, "from-yaml.json"));
    expect(loaded.warnings.map(formatProblem)).toEqual(["vigia.config.json:0: -: ignored: vigia.config.yaml is used"]);
  });

  it("takes VIGIA_CONFIG over the working directory, and --config over VIGIA_CONFIG", async () => {
    write("vigia.config.yaml", "journal: cwd.json\n");
    write("a/env.yaml", "journal: env.json\n");
    write("b/option.yml", "journal: option.json\n");
    const fromEnv = await loadConfig({ cwd: root, env: { VIGIA_CONFIG: "a/env.yaml" } });
    expect(fromEnv.origin).toBe("env");
    expect(fromEnv.config.journalPath).toBe(join(root, "a/env.json"));
    const fromOption = await loadConfig({ cwd: root, configPath: "b/option.yml", env: { VIGIA_CONFIG: "a/env.yaml" } });
    expect(fromOption.origin).toBe("option");
    expect(fromOption.config.journalPath).toBe(join(root, "b/option.json"));
  });

  it("reports a missing explicit config file instead of falling back to defaults", async () => {
    const problems = await loadProblems({ cwd: root, configPath: "nope.yaml", env: {} });
    expect(problems).toEqual(["nope.yaml:0: -: cannot read config file: ENOENT"]);
  });

  it("treats an empty file as all defaults", async () => {
    write("vigia.config.yaml", "# nothing yet\n");
    const { config } = await loadConfig({ cwd: root, env: {} });
    expect(config.sources.map((s) => s.name)).toEqual(["bot", "backend"]);
  });
});

describe(".env and ${VAR} expansion", () => {
  it("loads .env beside the config, under the real environment, without touching process.env", async () => {
    write("cfg/.env", "MAX_RETRIES=5\nBACKOFF_DELAYS=2,3\nADMIN_ID=111\nTELEGRAM_TOKEN=111111:from-dotenv-file\nVIGIA_TEST_ONLY_VAR=x\n");
    write("cfg/vigia.config.yaml", "journal: '${JOURNAL_NAME:-j}.json'\n");
    const loaded = await loadConfig({ cwd: root, configPath: "cfg/vigia.config.yaml", env: { MAX_RETRIES: "7" } });
    expect(loaded.envFile).toBe(join(root, "cfg/.env"));
    expect(loaded.config.remediation.maxRetries).toBe(7); // real environment wins
    expect(loaded.config.remediation.backoffMs).toEqual([2000, 3000]); // from .env
    expect(loaded.config.notify.telegram).toMatchObject({ token: "111111:from-dotenv-file", chatId: "111" });
    expect(loaded.config.journalPath).toBe(join(root, "cfg/j.json"));
    expect(process.env.VIGIA_TEST_ONLY_VAR).toBeUndefined();
    expect(loaded.envApplied).toEqual(
      expect.arrayContaining(["MAX_RETRIES → remediation.max_retries", "BACKOFF_DELAYS → remediation.backoff"]),
    );
    // values never appear in the applied list
    expect(loaded.envApplied.join(" ")).not.toContain("from-dotenv-file");
  });

  it("loads .env from the working directory when there is no config file", async () => {
    write(".env", "VERIFICACION_PERIODICA=12\n");
    const { config, envFile } = await loadConfig({ cwd: root, env: {} });
    expect(envFile).toBe(join(root, ".env"));
    expect(config.checks.intervalMs).toBe(12000);
  });

  it("expands ${VAR} and ${VAR:-default} in string values, from .env and the environment", async () => {
    write(".env", "LOGS=/var/log/bot\nEMPTY=\n");
    write(
      "vigia.config.yaml",
      [
        "sources:",
        "  - { name: bot, path: '${LOGS}/bot_central.log' }",
        "  - { name: api, path: '${API_LOGS:-api}/api.log' }",
        "  - { name: e, path: '${EMPTY:-fallback}/e.log' }",
        "  - { name: lit, path: 'a$${b}' }",
        "journal: '${HOME_DIR}/j.json'",
      ].join("\n"),
    );
    const { config } = await loadConfig({ cwd: root, env: { HOME_DIR: "/data" } });
    expect(config.sources.map((s) => s.path)).toEqual(["/var/log/bot/bot_central.log", join(root, "api/api.log"), join(root, "fallback/e.log"), join(root, "a${b}")]);
    expect(config.journalPath).toBe("/data/j.json");
  });

  it("an unset ${TELEGRAM_TOKEN} means Telegram off, not an error", async () => {
    write("vigia.config.yaml", "notify:\n  telegram: { token: '${TELEGRAM_TOKEN}', chat_id: '${ADMIN_ID}' }\n");
    const off = await loadConfig({ cwd: root, env: {} });
    expect(off.config.notify.telegram).toBeNull();
    const on = await loadConfig({ cwd: root, env: { TELEGRAM_TOKEN: "42424242:abc", ADMIN_ID: "-1001234567890" } });
    expect(on.config.notify.telegram).toEqual({ token: "42424242:abc", chatId: "-1001234567890", apiRoot: null, fallbackToCloud: false, commandsToken: null });
  });

  it("keeps Telegram off, with a warning, when a token has no chat id", async () => {
    mkdirSync(join(root, "rules"));
    const { config, warnings } = await loadConfig({ cwd: root, env: { TELEGRAM_TOKEN: "42424242:abc" } });
    expect(config.notify.telegram).toBeNull();
    expect(warnings.map(formatProblem)).toEqual([
      "<defaults>:0: notify.telegram.chat_id: a token is set but no chat_id (env ADMIN_ID): Telegram stays off",
    ]);
  });

  it("reports a malformed reference with its line", async () => {
    write("vigia.config.yaml", "journal: j.json\nstate_dir: '${UNCLOSED'\n");
    expect(await loadProblems({ cwd: root, env: {} })).toEqual([
      "vigia.config.yaml:2: state_dir: malformed variable reference '${UNCLOSED': write ${NAME}, ${NAME:-default}, or $${ for a literal",
    ]);
  });
});

describe("environment overrides", () => {
  it("override the file's values", async () => {
    write("vigia.config.yaml", "remediation: { max_retries: 1, backoff: [9] }\nchecks: { interval: 99 }\n");
    const { config } = await loadConfig({
      cwd: root,
      env: { MAX_RETRIES: "4", BACKOFF_DELAYS: "[0.5, 1, 1.5]", VERIFICACION_PERIODICA: "15" },
    });
    expect(config.remediation.maxRetries).toBe(4);
    expect(config.remediation.backoffMs).toEqual([500, 1000, 1500]);
    expect(config.checks.intervalMs).toBe(15000);
  });

  it("treat an empty value as unset", async () => {
    const { config } = await loadConfig({ cwd: root, env: { MAX_RETRIES: "", BACKOFF_DELAYS: "" } });
    expect(config.remediation.maxRetries).toBe(3);
    expect(config.remediation.backoffMs).toEqual([1000, 2000, 4000]);
  });

  it("USE_LOCAL_BOT_API=false turns a configured bot_api check off, =true overrides enabled: false", async () => {
    write("vigia.config.yaml", "checks:\n  bot_api: { url: 'http://127.0.0.1:1', every: 1 }\n");
    const on = await loadConfig({ cwd: root, env: {} });
    expect(on.config.checks.botApi).toEqual({ url: "http://127.0.0.1:1", healthUrl: null, attempts: 3, everyMs: 1000, timeoutMs: 5000 });
    const off = await loadConfig({ cwd: root, env: { USE_LOCAL_BOT_API: "false" } });
    expect(off.config.checks.botApi).toBeNull();
    write("vigia.config.yaml", "checks:\n  bot_api: { enabled: false, every: 1 }\n");
    expect((await loadConfig({ cwd: root, env: {} })).config.checks.botApi).toBeNull();
    expect((await loadConfig({ cwd: root, env: { USE_LOCAL_BOT_API: "true" } })).config.checks.botApi?.everyMs).toBe(1000);
  });

  it("reads the exec check's expectations and lets `flap: null` turn flap detection off", async () => {
    write(
      "vigia.config.yaml",
      "checks:\n  flap: null\n  exec:\n    - { name: api, command: [docker, inspect], expect_output: '^true', error_type: servidor_caido, severity: critical }\n",
    );
    const { config } = await loadConfig({ cwd: root, env: {} });
    expect(config.checks.flap).toBeNull();
    expect(config.checks.exec).toEqual([
      { name: "api", command: ["docker", "inspect"], timeoutMs: 30000, expectOutput: /^true/, errorType: "servidor_caido", severity: "critical" },
    ]);
  });

  it("report every bad value, naming the variable and, from .env, its line", async () => {
    write(".env", "# bot settings\nMAX_RETRIES=tres\nBACKOFF_DELAYS=1,,4\n");
    const problems = await loadProblems({
      cwd: root,
      env: { VERIFICACION_PERIODICA: "-5", USE_LOCAL_BOT_API: "si", TELEGRAM_BOT_API_LOCAL_URL: "localhost:8081" },
    });
    expect(problems).toEqual([
      '.env:2: MAX_RETRIES: expected an integer from 0 to 100, got "tres"',
      '.env:3: BACKOFF_DELAYS: expected comma-separated seconds >= 0 like "1,2,4", got "1,,4"',
      'environment:0: VERIFICACION_PERIODICA: expected a number of seconds > 0, got "-5"',
      'environment:0: USE_LOCAL_BOT_API: expected true or false, got "si"',
      // Rules name the server ({config.bot_api_url}) even while the check is off: its URL is always read.
      'environment:0: TELEGRAM_BOT_API_LOCAL_URL: expected an http(s) URL, got "localhost:8081"',
    ]);
  });

  it("report a bad TELEGRAM_BOT_API_LOCAL_URL when the local Bot API is used", async () => {
    const problems = await loadProblems({ cwd: root, env: { USE_LOCAL_BOT_API: "1", TELEGRAM_BOT_API_LOCAL_URL: "localhost:8081" } });
    expect(problems).toEqual(['environment:0: TELEGRAM_BOT_API_LOCAL_URL: expected an http(s) URL, got "localhost:8081"']);
  });
});

describe("validation problems", () => {
  it("names an unknown key with its line and path", async () => {
    write(
      "vigia.config.yaml",
      ["sources:", "  - name: bot", "    path: logs/bot.log", "remediation:", "  allowed_roots: [modelos]", "  max_retries: 3", "  max_retires: 4"].join("\n"),
    );
    expect(await loadProblems({ cwd: root, env: {} })).toEqual(["vigia.config.yaml:7: remediation.max_retires: unknown key 'max_retires'"]);
  });

  it("reports every wrong type and value at once, with lines", async () => {
    write(
      "vigia.config.yaml",
      [
        "sources:",
        "  - name: bot",
        "    path: 12",
        "    start_at: middle",
        "remediation:",
        "  max_retries: many",
        "  concurrency: 0",
        "checks:",
        "  http:",
        "    - { name: backend }",
        "bogus: true",
      ].join("\n"),
    );
    const problems = await loadProblems({ cwd: root, env: {} });
    expect(problems).toEqual(
      expect.arrayContaining([
        "vigia.config.yaml:3: sources[0].path: expected string, got 12",
        'vigia.config.yaml:4: sources[0].start_at: expected one of "end", "beginning", got "middle"',
        'vigia.config.yaml:6: remediation.max_retries: expected integer, got "many"',
        "vigia.config.yaml:7: remediation.concurrency: must be >= 1, got 0",
        "vigia.config.yaml:10: checks.http[0].url: missing required key 'url'",
        "vigia.config.yaml:11: bogus: unknown key 'bogus'",
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it("still tells the rule paths of a broken config, for `vigia check`", async () => {
    write("vigia.config.yaml", "rules: [r1, r2]\nremediation: { concurrency: -1 }\n");
    const error = await loadConfig({ cwd: root, env: {} }).catch((e: unknown) => e as ConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).rulePaths).toEqual([join(root, "r1"), join(root, "r2")]);
  });

  it("reports YAML syntax errors and duplicate keys with their line", async () => {
    write("vigia.config.yaml", "journal: a.json\njournal: b.json\n");
    const problems = await loadProblems({ cwd: root, env: {} });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^vigia\.config\.yaml:2: -: .*unique/i);
  });

  it("checks what the schema cannot: regexes, URLs, names, references, listen addresses", async () => {
    write(
      "vigia.config.yaml",
      [
        "sources:",
        "  - { name: bot, path: a.log, multiline: { start: '(' } }",
        "  - { name: bot, path: b.log }",
        "  - { name: other, path: a.log }",
        "notify:",
        "  telegram: { token: 'has space', chat_id: 'admin' }",
        "  webhook: { url: 'ftp://secret-host/hook' }",
        "checks:",
        "  http:",
        "    - { name: x, url: 'not a url' }",
        "  process:",
        "    - { name: p, pidfile: p.pid, pattern: 'main' }",
        "    - { name: q }",
        "  silence:",
        "    - { source: ghost, max_quiet: 5, process: nobody }",
        "status: { listen: 'localhost' }",
      ].join("\n"),
    );
    const problems = await loadProblems({ cwd: root, env: {} });
    expect(problems).toEqual([
      expect.stringMatching(/^vigia\.config\.yaml:2: sources\[0\]\.multiline\.start: invalid regular expression: /),
      "vigia.config.yaml:3: sources[1].name: duplicate source name 'bot' (also sources[0])",
      `vigia.config.yaml:4: sources[2].path: duplicate source file '${join(root, "a.log")}' (also sources[0])`,
      "vigia.config.yaml:6: notify.telegram.token: expected a bot token without spaces or slashes (value hidden)",
      'vigia.config.yaml:6: notify.telegram.chat_id: expected a numeric chat id or @channel, got "admin"',
      "vigia.config.yaml:7: notify.webhook.url: expected an http(s) URL (value hidden)",
      'vigia.config.yaml:10: checks.http[0].url: expected an http(s) URL, got "not a url"',
      "vigia.config.yaml:12: checks.process[0]: give exactly one of 'pidfile' and 'pattern'",
      "vigia.config.yaml:13: checks.process[1]: give exactly one of 'pidfile' and 'pattern'",
      "vigia.config.yaml:15: checks.silence[0].process: unknown process check 'nobody'",
      "vigia.config.yaml:15: checks.silence[0].source: unknown source 'ghost' (known: bot, other)",
      'vigia.config.yaml:16: status.listen: expected host:port like "127.0.0.1:9464", got "localhost"',
    ]);
    expect(problems.join("\n")).not.toContain("secret-host");
  });

  it("refuses a commands_token equal to the alerting token (it would steal the bot's updates)", async () => {
    write("vigia.config.yaml", "notify:\n  telegram: { token: '1234:abcd', chat_id: 1, commands_token: '1234:abcd' }\n");
    expect(await loadProblems({ cwd: root, env: {} })).toEqual([
      "vigia.config.yaml:2: notify.telegram.commands_token: must be a different bot's token than notify.telegram.token (value hidden)",
    ]);
  });

  it("listens on all interfaces only when written in the file, with a token; `status: null` turns the server off", async () => {
    const token = "s3cret-status-token-0123";
    write("vigia.config.yaml", "status: { listen: '0.0.0.0:9000', token: '${VIGIA_STATUS_TOKEN}' }\n");
    expect((await loadConfig({ cwd: root, env: { VIGIA_STATUS_TOKEN: token } })).config.status).toEqual({ listen: "0.0.0.0:9000", host: "0.0.0.0", port: 9000, token });
    write("vigia.config.yaml", "status: { listen: 9465 }\n");
    expect((await loadConfig({ cwd: root, env: {} })).config.status).toEqual({ listen: "9465", host: "127.0.0.1", port: 9465, token: null });
    write("vigia.config.yaml", "status: null\n");
    expect((await loadConfig({ cwd: root, env: {} })).config.status).toBeNull();
  });

  it("refuses to listen off loopback without status.token, and says why", async () => {
    for (const listen of ["0.0.0.0:9000", "[::]:9000", "192.168.1.20:9000", "example.org:9000"]) {
      write("vigia.config.yaml", `status:\n  listen: '${listen}'\n  token: '\${VIGIA_STATUS_TOKEN}'\n`);
      // The variable is unset: `${VIGIA_STATUS_TOKEN}` expands to nothing, which is no token at all.
      expect(await loadProblems({ cwd: root, env: {} })).toEqual([
        `vigia.config.yaml:2: status.listen: ${listen} is reachable from other machines, so status.token is required (set it, e.g. token: '\${VIGIA_STATUS_TOKEN}', or listen on 127.0.0.1)`,
      ]);
    }
    for (const listen of ["127.0.0.1:9000", "127.0.0.53:9000", "[::1]:9000", "localhost:9000"]) {
      write("vigia.config.yaml", `status: { listen: '${listen}' }\n`);
      expect((await loadConfig({ cwd: root, env: {} })).config.status?.token).toBeNull();
    }
    write("vigia.config.yaml", "status: { listen: '0.0.0.0:9000', token: short }\n");
    expect(await loadProblems({ cwd: root, env: {} })).toEqual([
      "vigia.config.yaml:1: status.token: expected at least 16 characters (e.g. `openssl rand -hex 24`), got 5",
    ]);
  });

  it("registers the status token as a secret", async () => {
    const token = "s3cret-status-token-0123";
    write("vigia.config.yaml", `status: { listen: '0.0.0.0:9000', token: '${token}' }\n`);
    const { config } = await loadConfig({ cwd: root, env: {} });
    expect(listConfigSecrets(config)).toContain(token);
  });

  it("warns when critical_gb is above warn_gb, and lets `disk: null` turn the check off", async () => {
    write("vigia.config.yaml", "checks:\n  disk: { critical_gb: 100000 }\n");
    mkdirSync(join(root, "rules"));
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(loaded.config.checks.disk).toEqual({ paths: [root], warnGb: 5, criticalGb: 100000, timeoutMs: 10000, stopSupervised: true });
    expect(loaded.warnings.map(formatProblem)).toEqual([
      "vigia.config.yaml:2: checks.disk.critical_gb: critical_gb (100000) is above warn_gb (5): the warning level is never seen",
    ]);
    write("vigia.config.yaml", "checks:\n  disk: null\n");
    expect((await loadConfig({ cwd: root, env: {} })).config.checks.disk).toBeNull();
  });
});

describe("the example config", () => {
  let loaded: LoadedConfig;
  beforeEach(async () => {
    const example = readFileSync(new URL("../../vigia.config.example.yaml", import.meta.url), "utf8");
    write("vigia.config.yaml", example);
    loaded = await loadConfig({ cwd: root, env: {} });
  });

  it("loads without problems or warnings", () => {
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.sources.map((s) => s.name)).toEqual(["bot", "backend"]);
  });

  it("sets up the bot's checks: local Bot API, disk, main.py, backend /health", () => {
    const { checks } = loaded.config;
    expect(checks.botApi?.url).toBe("http://localhost:8081");
    expect(checks.disk).toEqual({ paths: [root], warnGb: 5, criticalGb: 2, timeoutMs: 10000, stopSupervised: true });
    expect(checks.process[0]!.pattern!.test("/usr/bin/python3.11 -u main.py")).toBe(true);
    expect(checks.process[0]!.pattern!.test("vim main.py")).toBe(false);
    expect(checks.http[0]).toMatchObject({ name: "backend", url: "http://127.0.0.1:8000/health", expectJson: { status: "ok" } });
    expect(checks.silence).toEqual([{ source: "bot", maxQuietMs: 600000, process: "bot" }]);
    expect(loaded.config.notify.telegram).toBeNull();
  });
});
