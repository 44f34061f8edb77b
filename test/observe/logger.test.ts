import { beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createConsoleLogger, createLogger, MONITOR_LOG_NAME, type FileLoggerOptions } from "../../src/observe/logger.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

const newTempDir = useTempDirs("vigia-logger-");

const TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0";
const FILE_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} (error|warn|info|verbose|debug)\s+\S/;

let root: string;
beforeEach(() => {
  root = newTempDir();
});

/** A stream that remembers what was written to it. */
function captureStream(): PassThrough & { text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString("utf8") });
}

function makeOptions(overrides: Partial<FileLoggerOptions> = {}) {
  const consoleStream = captureStream();
  const errorStream = captureStream();
  const options: FileLoggerOptions = {
    logDir: join(root, "logs"),
    auditDir: join(root, "state"),
    consoleLevel: "info",
    consoleStream,
    errorStream,
    ...overrides,
  };
  return { options, consoleStream, errorStream };
}

const readMonitorLog = (): string => readFileSync(join(root, "logs", MONITOR_LOG_NAME), "utf8");

describe("createLogger", () => {
  it("writes info and above to logs/monitor.log, a link to today's daily file, with timestamps", async () => {
    const { options } = makeOptions();
    const logger = createLogger(options);
    expect(logger.filePath).toBe(join(root, "logs", MONITOR_LOG_NAME));
    logger.info("vigia started", { sources: 2 });
    logger.warn("rule file broken", { file: "rules/x.yaml" });
    logger.debug("not in the file");
    await logger.close();

    const lines = readMonitorLog().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(FILE_LINE);
    expect(lines[0]).toMatch(/ info\s+vigia started \{"sources":2\}$/);
    expect(lines[1]).toMatch(/ warn\s+rule file broken \{"file":"rules\/x.yaml"\}$/);
    const link = join(root, "logs", MONITOR_LOG_NAME);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toMatch(/^monitor-\d{4}-\d{2}-\d{2}\.log$/);
    // the rotation audit lives where it was asked to, not in the log folder
    expect(readdirSync(join(root, "state"))).toEqual(["monitor-log-audit.json"]);
    expect(readdirSync(join(root, "logs")).filter((f) => f.endsWith(".json"))).toEqual([]);
  });

  it("keeps the console at its own level, without colours on a non-TTY stream", async () => {
    const { options, consoleStream } = makeOptions({ consoleLevel: "warn" });
    const logger = createLogger(options);
    logger.info("only in the file");
    logger.error("everywhere");
    logger.setConsoleLevel("debug");
    logger.debug("console only now");
    await logger.close();
    const consoleText = consoleStream.text();
    expect(consoleText).not.toContain("only in the file");
    expect(consoleText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} error\s+everywhere$/m);
    expect(consoleText).toContain("console only now");
    expect(consoleText).not.toContain("\x1b[");
    expect(readMonitorLog()).toContain("only in the file");
    expect(readMonitorLog()).not.toContain("console only now");
  });

  it("colours the console when asked", async () => {
    const { options, consoleStream } = makeOptions({ colors: true });
    const logger = createLogger(options);
    logger.error("red");
    await logger.close();
    expect(consoleStream.text()).toContain("\x1b[31merror");
    expect(readMonitorLog()).not.toContain("\x1b[");
  });

  it("flushes every line on close", async () => {
    const { options } = makeOptions({ consoleLevel: "error" });
    const logger = createLogger(options);
    for (let i = 0; i < 2000; i++) logger.info(`line ${i}`);
    await logger.close();
    const lines = readMonitorLog().trimEnd().split("\n");
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toMatch(/line 1999$/);
  });

  it("redacts registered secrets and token-shaped strings in messages and meta, in file and console", async () => {
    const { options, consoleStream } = makeOptions();
    const logger = createLogger(options);
    logger.addSecret("webhook-secret-value");
    logger.addSecret("ab"); // too short to register: must not garble the log
    logger.info(`sending via https://api.telegram.org/bot${TOKEN}/sendMessage`, {
      headers: { authorization: "Bearer webhook-secret-value" },
      nested: [{ deep: `token=${TOKEN}` }],
      error: new Error(`request to webhook-secret-value failed`),
    });
    const meta = { headers: { authorization: "webhook-secret-value" } };
    logger.warn("about to retry", meta);
    await logger.close();
    for (const text of [readMonitorLog(), consoleStream.text()]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("webhook-secret-value");
      expect(text).toContain("https://api.telegram.org/bot***/sendMessage");
      expect(text).toContain('"authorization":"Bearer ***"');
      expect(text).toContain("token=***");
      expect(text).toContain("request to *** failed");
      expect(text).toContain("about to retry");
    }
    // the caller's objects are not modified
    expect(meta.headers.authorization).toBe("webhook-secret-value");
  });

  it("escapes terminal control sequences quoted from log lines", async () => {
    const { options, consoleStream } = makeOptions();
    const logger = createLogger(options);
    logger.warn("matched: \x1b[2J\x1b[31mfake\r\x07 line");
    await logger.close();
    expect(consoleStream.text()).toContain("matched: \\x1b[2J\\x1b[31mfake\\x0d\\x07 line");
    expect(readMonitorLog()).not.toMatch(/[\x07\x1b\r]/);
  });

  it("adds a child's meta to each entry", async () => {
    const { options } = makeOptions();
    const logger = createLogger(options);
    const child = logger.child({ stage: "tailer" });
    child.info("rotated", { file: "bot.log" });
    child.addSecret("child-registered-secret");
    logger.info("parent sees child-registered-secret masked");
    await logger.close();
    const text = readMonitorLog();
    expect(text).toMatch(/rotated \{"stage":"tailer","file":"bot.log"\}/);
    expect(text).toContain("parent sees *** masked");
  });

  it("reports a log folder it cannot create, keeps the console, and never throws", async () => {
    writeFileSync(join(root, "not-a-dir"), "x");
    const errors: Error[] = [];
    const { options, consoleStream, errorStream } = makeOptions({
      logDir: join(root, "not-a-dir", "logs"),
      onFileError: (e) => errors.push(e),
    });
    const logger = createLogger(options);
    expect(logger.filePath).toBeNull();
    expect(logger.fileError).not.toBeNull();
    expect(() => logger.error("still logging")).not.toThrow();
    await logger.close();
    expect(errorStream.text()).toMatch(/^vigia: cannot write .*not-a-dir\/logs\/monitor\.log: .*ENOTDIR/);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["ENOTDIR"]);
    expect(consoleStream.text()).toContain("still logging");
  });

  it("reports a daily file it cannot open (once), and never crashes", async () => {
    // A folder where today's file should be: open() fails with EISDIR even for root.
    const logDir = join(root, "logs");
    const day = new Date();
    const stamp = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
    mkdirSync(join(logDir, `monitor-${stamp}.log`), { recursive: true });
    const { options, consoleStream, errorStream } = makeOptions();
    const logger = createLogger(options);
    for (let i = 0; i < 3; i++) logger.info(`line ${i}`);
    await waitFor(() => logger.fileError !== null, "the daily file's error");
    logger.info("after the error");
    await logger.close();
    expect(logger.fileError).not.toBeNull();
    expect(errorStream.text().match(/EISDIR/g)).toHaveLength(1);
    expect(consoleStream.text()).toContain("after the error");
  });

  it("keeps every line of a burst whole and in order, each with its own level and time", async () => {
    const { options, consoleStream } = makeOptions({ consoleLevel: "warn" });
    const logger = createLogger(options);
    for (let i = 0; i < 500; i++) {
      if (i % 2 === 0) logger.warn(`burst ${i}`, { i });
      else logger.info(`burst ${i}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    logger.error("after the burst");
    await logger.close();

    const lines = readMonitorLog().trimEnd().split("\n");
    expect(lines).toHaveLength(501);
    for (const line of lines) expect(line).toMatch(FILE_LINE);
    for (let i = 0; i < 500; i++) {
      expect(lines[i]!.endsWith(i % 2 === 0 ? ` warn    burst ${i} {"i":${i}}` : ` info    burst ${i}`)).toBe(true);
    }
    expect(lines[500]!.endsWith(" error   after the burst")).toBe(true);
    const shown = consoleStream.text().trimEnd().split("\n");
    expect(shown).toHaveLength(251);
    expect(shown[1]!.endsWith(' warn    burst 2 {"i":2}')).toBe(true);
  });

  it("drops calls after close, and close can be called twice", async () => {
    const { options } = makeOptions();
    const logger = createLogger(options);
    logger.info("before");
    await logger.close();
    expect(() => logger.info("after")).not.toThrow();
    await logger.close();
    expect(readMonitorLog()).not.toContain("after");
  });
});

describe("createConsoleLogger", () => {
  it("writes only to its stream, creates no file, and redacts too", async () => {
    const consoleStream = captureStream();
    const logger = createConsoleLogger({ consoleLevel: "verbose", consoleStream });
    expect(logger.filePath).toBeNull();
    expect(logger.isLevelEnabled("verbose")).toBe(true);
    expect(logger.isLevelEnabled("debug")).toBe(false);
    logger.verbose(`checked ${TOKEN}`);
    logger.debug("hidden");
    await logger.close();
    expect(consoleStream.text()).toMatch(/verbose checked \*\*\*\n$/);
    expect(consoleStream.text()).not.toContain("hidden");
    expect(existsSync(join(process.cwd(), "monitor.log"))).toBe(false);
  });
});
