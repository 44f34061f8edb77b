/**
 * The local Bot API is one server, configured once: the shipped `servidor_caido` rule verifies the configured
 * server, "up" means it answers HTTP at all (404 on /, like telegram-bot-api), and the `bot_api` check and the log
 * rule share one incident per outage. Real vigia, a real HTTP server on 127.0.0.1 as the Bot API, the fake Bot API
 * for the admin's messages.
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { cleanUpTest, createWorkspace, formatPythonLine, readJournal, runVigia, startVigia, type JournalIncident, type Workspace } from "./vigia-harness.js";

jest.setTimeout(90_000);

const CONNECT_ERROR = formatPythonLine("ERROR", "httpx.ConnectError: All connection attempts failed");

/** A stand-in for telegram-bot-api: 404 on every path, as the real server answers `/`. */
class BotApiServer {
  private server: Server | null = null;
  constructor(public port = 0) {}
  async start(): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"ok":false,"error_code":404,"description":"Not Found"}');
    });
    await new Promise<void>((r) => server.listen(this.port, "127.0.0.1", r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

const servers: BotApiServer[] = [];
const fakes: FakeTelegram[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const f of fakes.splice(0)) await f.close();
  await cleanUpTest();
});

function serverIncidents(ws: Workspace): JournalIncident[] {
  return readJournal(ws).filter((i) => i.error_type === "servidor_caido");
}

function baseConfig(lines: string[]): string {
  return ["status: null", "sources: [{ name: bot, path: logs/bot_central.log }]", "remediation: { allowed_roots: [modelos] }", ...lines, ""].join(
    "\n",
  );
}

describe("servidor_caido and the bot_api check", () => {
  it("one outage seen by the log and the check is one incident and one message, solucionado when the server is back", async () => {
    const botApi = new BotApiServer();
    servers.push(botApi);
    await botApi.start();
    await botApi.stop(); // down from the start, on a port we know
    const fake = await FakeTelegram.start();
    fakes.push(fake);
    const ws = createWorkspace({
      config: baseConfig([
        `notify: { telegram: { token: '123:abc', chat_id: '42', api_root: '${fake.apiRoot}' } }`,
        "checks:",
        "  disk: null",
        `  bot_api: { url: '${botApi.url}', attempts: 2, every: 0.3, timeout: 1 }`,
      ]),
    });
    const vigia = await startVigia(ws);
    ws.append("logs/bot_central.log", CONNECT_ERROR);

    // Whichever saw it first opened it; the other is recorded in its transitions.
    const noted = await waitFor(
      () => serverIncidents(ws).find((i) => i.transiciones.some((t) => /^también detectado por /.test(t.accion ?? ""))),
      { what: "the incident noting its second source", describe: () => JSON.stringify(serverIncidents(ws), null, 1) },
    );
    const sources = [noted.fuente, ...noted.transiciones.flatMap((t) => t.accion?.match(/^también detectado por (.+)$/)?.[1] ?? [])];
    expect(sources.sort()).toEqual(["bot", "check:bot_api"]);

    await botApi.start();
    const solved = await waitFor(() => serverIncidents(ws).find((i) => i.estado === "solucionado"), {
      what: "servidor_caido solucionado",
      timeoutMs: 30_000,
      describe: () => JSON.stringify(serverIncidents(ws), null, 1),
    });
    expect(serverIncidents(ws)).toHaveLength(1);
    expect(solved.id).toBe(noted.id);
    await vigia.stop();
    const sent = fake.callsTo("sendMessage").filter((c) => /\nservidor_caido · /.test(String(c.payload["text"])));
    expect(sent).toHaveLength(1);
    expect(fake.texts().filter((t) => /\nservidor_caido · /.test(t))).toEqual([expect.stringMatching(/solucionado/)]);
  });

  it("verifies the server named by TELEGRAM_BOT_API_LOCAL_URL: up on another port, the incident is solucionado", async () => {
    const botApi = new BotApiServer();
    servers.push(botApi);
    await botApi.start();
    const ws = createWorkspace({ config: baseConfig(["checks: { disk: null }"]) });
    ws.write(".env", `TELEGRAM_BOT_API_LOCAL_URL=${botApi.url}\n`);
    const vigia = await startVigia(ws);
    ws.append("logs/bot_central.log", CONNECT_ERROR);
    const solved = await waitFor(() => serverIncidents(ws).find((i) => i.estado === "solucionado" || i.estado === "fallido"), {
      what: "servidor_caido closed",
      timeoutMs: 30_000,
      describe: () => JSON.stringify(serverIncidents(ws), null, 1),
    });
    expect(solved.estado).toBe("solucionado");
    expect(solved.transiciones.at(-1)?.detalle).toContain(`GET ${botApi.url}/ → responde HTTP (HTTP 404`);
    await vigia.stop();
  });

  it("a rule naming an unknown config value is refused at load time with file:line", async () => {
    const ws = createWorkspace({ config: baseConfig(["checks: { disk: null }"]), copyRules: false });
    ws.write(
      "rules/mine.yaml",
      [
        "rules:",
        "  - id: servidor_caido",
        "    match: 'All connection attempts failed'",
        "    verify: { type: http_up, url: '{config.bot_api_ulr}' }",
        "",
      ].join("\n"),
    );
    const result = await runVigia(ws.dir, ["check"]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(
      /rules\/mine\.yaml:4: rules\[0\]\.verify\.url: unknown config value 'config\.bot_api_ulr' \(known: config\.bot_api_url, /,
    );
  });
});
