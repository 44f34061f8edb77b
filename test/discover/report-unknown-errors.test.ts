/**
 * `vigia report` lists the errors no rule claims, read from `desconocidos.json` beside the journal: the most
 * frequent templates with their count, first and last sight, sources and one sample, in Spanish, as text, JSON
 * and HTML. The file is the one vigia's own store writes for real log lines.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { join } from "node:path";
import { UnknownErrorStore } from "../../src/discover/unknown-error-store.js";
import { cleanUpAll, createWorkspace, JOURNAL, runVigia, type Workspace } from "../e2e/vigia-harness.js";

jest.setTimeout(180_000);

const QUOTA = (modelo: string, second: number): string =>
  `2025-12-25 14:30:${String(second).padStart(2, "0")},000 - bot - ERROR - ValueError: cuota de Telegram agotada para modelo ${modelo}`;
const CONFLICT =
  "2023-12-18 15:08:11,091 - telegram.ext._updater - ERROR - Error while getting Updates: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const FLOOD = [
  "2023-01-09 01:51:46,411 - telegram.ext._application - ERROR - No error handlers are registered, logging exception.",
  "Traceback (most recent call last):",
  '  File "/app/server.py", line 286, in check_loading',
  '    await application.bot.send_chat_action(update.effective_chat.id, "typing")',
  "telegram.error.RetryAfter: Flood control exceeded. Retry in 4 seconds",
].join("\n");
const T0 = Date.parse("2025-12-25T13:30:00Z");

interface ReportJson {
  unknownErrors: {
    plantillas: number;
    eventos: number;
    top: Array<{ plantilla: string; total: number; primera_vez: string; ultima_vez: string; fuentes: string[]; ejemplo: string }>;
  };
}

let ws: Workspace;

beforeAll(async () => {
  ws = createWorkspace({ config: null, scope: "file" });
  ws.write(JOURNAL, "[]\n");
  const store = new UnknownErrorStore({
    path: ws.at("logs/desconocidos.json"),
    alertAfter: Infinity,
    alertWithinMs: 600_000,
    onAlert: () => undefined,
    onError: (e) => {
      throw e;
    },
  });
  ["ana", "bea", "ana", "cris", "ana"].forEach((m, i) => store.observe({ source: "bot", text: QUOTA(m, i), atMs: T0 + i * 1000 }));
  store.observe({ source: "backend", text: CONFLICT, atMs: T0 + 10_000 });
  store.observe({ source: "bot", text: FLOOD, atMs: T0 + 20_000 });
  store.observe({ source: "bot", text: FLOOD.replace("01:51:46,411", "01:52:10,002").replace("4 seconds", "7 seconds"), atMs: T0 + 30_000 });
  await store.flush();
});

afterAll(async () => {
  await cleanUpAll();
});

describe("vigia report and the errors no rule claims", () => {
  it("--json carries the top templates with count, first/last seen, sources and a sample", async () => {
    const r = await runVigia(ws.dir, ["report", "--json"]);
    expect(r.code).toBe(0);
    const { unknownErrors } = JSON.parse(r.stdout) as ReportJson;
    expect(unknownErrors.plantillas).toBe(3);
    expect(unknownErrors.eventos).toBe(8);
    expect(unknownErrors.top.map((t) => [t.total, t.fuentes])).toEqual([
      [5, ["bot"]],
      [2, ["bot"]],
      [1, ["backend"]],
    ]);
    expect(unknownErrors.top[0]).toMatchObject({
      plantilla: "<TS> - bot - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>",
      primera_vez: new Date(T0).toISOString(),
      ultima_vez: new Date(T0 + 4000).toISOString(),
      ejemplo: QUOTA("ana", 2),
    });
    expect(unknownErrors.top[1]!.plantilla).toMatch(/\ntelegram\.error\.RetryAfter: Flood control exceeded\. Retry in <NUM> seconds$/);
  });

  it("the text report has a Spanish section with the templates, their sightings, sources and a sample", async () => {
    const r = await runVigia(ws.dir, ["report", join(ws.dir, JOURNAL)]);
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("Errores no previstos (sin regla):"), r.stdout.indexOf("Recomendaciones:"));
    expect(section).toMatch(/^Errores no previstos \(sin regla\): 3 plantilla\(s\), 8 evento\(s\)$/m);
    expect(section).toMatch(/^ +5 × <TS> - bot - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>$/m);
    expect(section).toMatch(/^ +primera vez 2025-12-25 \d\d:30:00 · última vez 2025-12-25 \d\d:30:04 · fuentes: bot$/m);
    expect(section).toContain(`ejemplo: ${QUOTA("ana", 2)}`);
    expect(section).toMatch(/^ +1 × <TS> - telegram\.ext\._updater - ERROR - Error while getting Updates: Conflict: .*\n.*fuentes: backend$/m);
    expect(section).toContain("vigia suggest-rules");
  });

  it("--html lists them in a table, escaped", async () => {
    const out = ws.at("informe.html");
    const r = await runVigia(ws.dir, ["report", "--html", out]);
    expect(r.code).toBe(0);
    const html = ws.read("informe.html");
    const section = html.slice(html.indexOf('<section class="ancha" id="desconocidos">'), html.indexOf('id="recomendaciones"'));
    expect(section).toContain("<h2>Errores no previstos (sin regla)");
    expect([...section.matchAll(/<td class="num" data-total="(\d+)">/g)].map((m) => Number(m[1]))).toEqual([5, 2, 1]);
    expect(section).toContain("ValueError: cuota de Telegram agotada para modelo &lt;MODELO&gt;");
    expect(section).toContain("<td>backend</td>");
  });

  it("without the file the report says nothing of it, and a corrupt file is said on stderr and leaves the report whole", async () => {
    const bare = createWorkspace({ config: null });
    bare.write(JOURNAL, "[]\n");
    const none = await runVigia(bare.dir, ["report"]);
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain("Errores no previstos");
    bare.write("logs/desconocidos.json", "[{");
    const corrupt = await runVigia(bare.dir, ["report", "--json"]);
    expect(corrupt.code).toBe(0);
    expect(corrupt.stderr).toMatch(/desconocidos\.json/);
    expect((JSON.parse(corrupt.stdout) as ReportJson).unknownErrors).toEqual({ plantillas: 0, eventos: 0, top: [] });
    expect(bare.read("logs/desconocidos.json")).toBe("[{");
  });
});
