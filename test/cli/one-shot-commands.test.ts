// One-shot commands never hang and always say why they gave up. The Bot API and the webhook are made unreachable
// two ways: a closed port on 127.0.0.1 (connection refused) and a server that accepts connections but never
// answers. `--timeout` shrinks the 15 s deadline so the test need not wait it out; the jest timeout only guards
// against a hang.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type Server, type Socket } from "node:net";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_CONFIG, killLeftovers, readJournal, REPO, runVigia } from "./cli-harness.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-oneshot-");

const TOKEN = "123456:AAtestTokenForNotifyTest_0123456789ab";

let closedPort = 0;
let silent: { server: Server; port: number; sockets: Set<Socket> };

beforeAll(async () => {
  // A port that was free a moment ago and that nothing listens on: connection refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  // Accepts every connection, reads the request, never writes a byte.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  silent = { server, port: (server.address() as { port: number }).port, sockets };
});

afterAll(async () => {
  for (const socket of silent.sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.server.close(() => resolve()));
});

afterEach(async () => {
  await killLeftovers();
});

function makeFolder(config: string): string {
  const dir = newTempDir();
  writeFileSync(join(dir, "vigia.config.yaml"), `${BASE_CONFIG}\n${config}\n`);
  return dir;
}

const telegramAt = (port: number): string => `notify: { telegram: { token: '${TOKEN}', chat_id: 4242, api_root: 'http://127.0.0.1:${port}' } }`;

describe("vigia notify-test with the Bot API unreachable", () => {
  it("connection refused: gives up at its deadline, says why, exit 1", async () => {
    const result = await runVigia(["notify-test", "--timeout", "2"], makeFolder(telegramAt(closedPort)));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^telegram: FAILED — gave up after 2 s: http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`, "m"));
    expect(result.stdout + result.stderr).not.toContain(TOKEN.split(":")[1]);
    // never the cloud instead of the server written in the config
    expect(result.stdout + result.stderr).not.toMatch(/api\.telegram\.org|cloud/);
  });

  it("a server that never answers: gives up at its deadline, says so, exit 1", async () => {
    const result = await runVigia(["notify-test", "--timeout", "2"], makeFolder(telegramAt(silent.port)));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^telegram: FAILED — gave up after 2 s: no answer from http://127\\.0\\.0\\.1:${silent.port}$`, "m"));
  });

  it("a webhook that never answers, beside a Telegram that is refused: both reported, within one deadline", async () => {
    const config = `notify: { telegram: { token: '${TOKEN}', chat_id: 4242, api_root: 'http://127.0.0.1:${closedPort}' }, webhook: { url: 'http://127.0.0.1:${silent.port}/hook/secret-path' } }`;
    const result = await runVigia(["notify-test", "--timeout", "2"], makeFolder(config));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^telegram: FAILED — gave up after 2 s: .*ECONNREFUSED/m);
    expect(result.stdout).toMatch(new RegExp(`^webhook: FAILED — gave up after 2 s: no answer from http://127\\.0\\.0\\.1:${silent.port}$`, "m"));
    expect(result.stdout).not.toContain("secret-path");
  });

  it("--timeout must be a positive number of seconds", async () => {
    const result = await runVigia(["notify-test", "--timeout", "soon"], makeFolder(telegramAt(closedPort)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vigia notify-test: --timeout: expected a positive number of seconds, got 'soon'$/m);
  });
});

describe("vigia test-rules on a file that is not there", () => {
  it("prints one line, no stack trace, exit 1", async () => {
    const result = await runVigia(["test-rules", "nope.log"], makeFolder(""));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^vigia test-rules: cannot read .*nope\.log: no such file or directory$/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a folder instead of a file: one line too", async () => {
    const dir = makeFolder("");
    const result = await runVigia(["test-rules", dir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vigia test-rules: cannot read .*: is a folder, not a log file$/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("vigia run --stdin", () => {
  it("reads a piped log as the config's first source, tracebacks grouped as in the file, and stops at its end", async () => {
    const dir = makeFolder("");
    cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
    const log = readFileSync(join(REPO, "fixtures", "bot_central.log"), "utf8");
    const result = await runVigia(["run", "--stdin", "--dry-run"], dir, {}, log);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/end of stdin: stopping/);
    const journal = readJournal(join(dir, "logs", "descarga_errors.json"));
    expect(journal.map((i) => i.error_type).sort()).toEqual(["corrupto", "disco_lleno", "permisos", "ruta_inexistente", "servidor_caido", "timeout"]);
    expect(new Set(journal.map((i) => i.fuente))).toEqual(new Set(["bot"]));
    // The timeout's traceback is one event: its last line is the error, its first line names the video.
    expect(journal.find((i) => i.error_type === "timeout")!.campos).toMatchObject({ video: "20251225_143105_0b0b0b.mp4" });
  });
});
