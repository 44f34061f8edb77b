/**
 * One voice per audience for periodic checks: what the admin reads (the journal's values, Telegram) is Spanish,
 * what the operator debugging vigia reads (monitor.log) is English, and no surface mixes the two. Real vigia, a real
 * HTTP service whose health answer goes bad and comes back, the real disk (thresholds no machine meets) and a
 * process that does not exist; the fake Bot API for the admin's messages.
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { cleanUpTest, createWorkspace, readJournal, startVigia, type JournalIncident } from "./vigia-harness.js";

jest.setTimeout(120_000);

/** Words of the checks' English diagnostics; none belongs in a Spanish text. */
const ENGLISH = /\b(refused|timed? ?out|free|below|above|until|running|missing|matches|restart(?:ed)?|failed|limit|exit|killed|output|mismatch|body|cancelled|quiet|ago|after|checked|critical|warning|down|up|recovered|process)\b/i;
/** Words of the admin's Spanish texts; none belongs in monitor.log's check lines. */
const SPANISH = /\b(recuperado|libres?|crítico|aviso|caído|ningún|proceso|reinicio|cuerpo|respuesta|rechazad[ao]|sin|hasta|por debajo|de)\b/i;

let server: Server | null = null;
let fake: FakeTelegram | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  await fake?.close();
  fake = null;
  await cleanUpTest();
});

/** Names quoted as the journal writes them (check ids, rule ids): identifiers, in no language. */
const withoutNames = (text: string): string => text.replace(/\b(http:api|disk:\S+|process:bot|check:\w+)/g, " ").replace(/\b\w+_\w+\b/g, " ");

/** The incident's texts the admin reads: its message, and each step's action and detail. */
function adminTexts(incident: JournalIncident): string[] {
  return [incident.error_message, incident.accion ?? "", ...incident.transiciones.flatMap((t) => [t.accion ?? "", t.detalle ?? ""])].filter((t) => t !== "");
}

describe("check results speak Spanish to the admin and English in monitor.log", () => {
  it("an HTTP, a disk and a process check that fail (and the HTTP one that recovers)", async () => {
    let healthy = false;
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: healthy ? "ok" : "degraded" }));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    fake = await FakeTelegram.start();
    const ws = createWorkspace({
      config: [
        "status: null",
        "sources: [{ name: bot, path: logs/bot_central.log }]",
        "remediation: { allowed_roots: [modelos] }",
        `notify: { telegram: { token: '123:abc', chat_id: '42', api_root: '${fake.apiRoot}' } }`,
        "checks:",
        "  interval: 0.3",
        // No machine has a petabyte free: the disk is critical wherever the test runs.
        "  disk: { paths: ['.'], warn_gb: 2000000, critical_gb: 1000000 }",
        `  http: [{ name: api, url: 'http://127.0.0.1:${port}/health', expect_json: { status: ok }, failure_threshold: 1 }]`,
        "  process: [{ name: bot, pattern: 'no-such-bot-[0-9]{6}' }]",
        "",
      ].join("\n"),
    });
    const vigia = await startVigia(ws);
    const byType = (type: string): JournalIncident | undefined => readJournal(ws).find((i) => i.error_type === type);
    await waitFor(() => byType("servicio_caido") && byType("disco_lleno") && byType("proceso_caido") && fake!.texts().length >= 3, {
      what: "three check incidents and their alerts",
      timeoutMs: 60_000,
    });
    healthy = true;
    await waitFor(() => byType("servicio_caido")?.estado === "solucionado", { what: "the HTTP check's recovery", timeoutMs: 60_000 });
    await vigia.stop();

    for (const type of ["servicio_caido", "disco_lleno", "proceso_caido"]) {
      const incident = byType(type)!;
      for (const text of adminTexts(incident)) expect({ type, text, english: ENGLISH.exec(withoutNames(text))?.[0] ?? null }).toEqual({ type, text, english: null });
    }
    expect(byType("servicio_caido")!.transiciones.at(-1)?.detalle).toMatch(/^recuperado/);

    for (const text of fake.texts()) {
      // Rule ids and check ids are the journal's names, quoted as they are (`servicio_caido · solucionado`).
      const prose = withoutNames(text.replace(/<[^>]+>/g, " "));
      expect({ text, english: ENGLISH.exec(prose)?.[0] ?? null }).toEqual({ text, english: null });
    }

    const checkLines = ws
      .read("logs/monitor.log")
      .split("\n")
      .filter((l) => / check (http:api|disk:\S+|process:bot): /.test(l));
    expect(checkLines.length).toBeGreaterThanOrEqual(4);
    for (const line of checkLines) expect({ line, spanish: SPANISH.exec(line)?.[0] ?? null }).toEqual({ line, spanish: null });

    // The incidents' own lines too: the recovery closing servicio_caido is told in English beside the journal's
    // "recuperado" (state names are the journal's identifiers).
    const incidentLines = ws
      .read("logs/monitor.log")
      .split("\n")
      .filter((l) => /\bincident \S+ \w+ → /.test(l));
    expect(incidentLines.some((l) => / servicio_caido → solucionado: recovered: /.test(l))).toBe(true);
    for (const line of incidentLines) {
      const prose = withoutNames(line).replace(/\b(detectado|pendiente|reintentando|solucionado|fallido)\b/g, " ");
      expect({ line, spanish: SPANISH.exec(prose)?.[0] ?? null }).toEqual({ line, spanish: null });
    }
  });
});
