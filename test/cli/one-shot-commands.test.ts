// One-shot commands never hang and always say why they gave up. The Bot API and the webhook are made unreachable
// two ways: a closed port on 127.0.0.1 (connection refused) and a server that accepts connections but never
// answers. `--timeout` shrinks the 15 s deadline so the test need not wait it out; the jest timeout only guards
// against a hang.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_CONFIG, killLeftovers, readJournal, REPO, runVigia, startVigia } from "./cli-harness.js";
import { waitFor } from "../helpers/wait-for.js";
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

describe("vigia test-rules on a pipe", () => {
  it("reads a log piped in (zcat bot.log.2.gz | vigia test-rules /dev/stdin) as it reads the file", async () => {
    const dir = makeFolder("");
    cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
    const logFile = join(REPO, "fixtures", "bot_central.log");
    const fromFile = await runVigia(["test-rules", "--json", logFile], dir);
    expect(fromFile.code).toBe(0);
    // A shell's pipe, as the user types it (node's own child stdin would be a socket pair, not a pipe).
    const fromPipe = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile("bash", ["-c", 'cat "$1" | "$2" "$3" test-rules --json /dev/stdin', "-", logFile, process.execPath, join(REPO, "bin", "vigia.js")], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect([fromPipe.code, fromPipe.stderr]).toEqual([0, ""]);
    const counted = JSON.parse(fromFile.stdout) as { lines: number; matches: unknown[] };
    expect(counted.lines).toBeGreaterThan(0);
    expect(counted.matches.length).toBeGreaterThan(0);
    expect(JSON.parse(fromPipe.stdout)).toEqual(counted);
  });

  it("refuses a device that never ends, in one line", async () => {
    const dir = makeFolder("");
    const result = await runVigia(["test-rules", "/dev/zero"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vigia test-rules: cannot read \/dev\/zero: not a regular file or a pipe$/m);
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

  it("finishes the remediations the log asked for before it stops: the missing folder exists and the journal says solucionado", async () => {
    const dir = makeFolder("");
    cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
    const log = [
      "2025-12-25 14:30:20,131 - bot_central - INFO - Descargando video para modelo ana: modelos/ana/20251225_143020_a3f2b1.mp4",
      "2025-12-25 14:30:20,132 - bot_central - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'",
      "",
    ].join("\n");
    const result = await runVigia(["run", "--stdin"], dir, {}, log);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, "modelos", "ana"))).toBe(true);
    const journal = readJournal(join(dir, "logs", "descarga_errors.json"));
    expect(journal.map((i) => [i.error_type, i.estado])).toEqual([["ruta_inexistente", "solucionado"]]);
    expect(result.stdout).toMatch(/solucionados: 1/);
  });

  it("says it waits for a long remediation at the end of input, and a Ctrl+C stops it there with the incident left open", async () => {
    // The local Bot API is down (a closed port): servidor_caido waits 10 s between its checks.
    const dir = makeFolder("");
    cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
    const log = "2025-12-25 14:30:20,131 - bot_central - ERROR - httpx.ConnectError: All connection attempts failed\n";
    const run = startVigia(["run", "--stdin"], dir, { TELEGRAM_BOT_API_LOCAL_URL: `http://127.0.0.1:${closedPort}` }, log);
    await waitFor(() => /waiting for 1 remediation\(s\) to finish before stopping/.test(run.stderr()), { what: "the wait announced", describe: run.stderr });
    process.kill(run.pid, "SIGINT");
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SIGINT: not waiting for the remediations, stopping/);
    const journal = readJournal(join(dir, "logs", "descarga_errors.json"));
    expect(journal.map((i) => i.error_type)).toEqual(["servidor_caido"]);
    expect(["pendiente", "reintentando"]).toContain(journal[0]!.estado);
  });
});
