// What the dashboard renders, without a browser: secrets from log lines, check reasons, rule errors and notifier
// failures never reach the page, and the detections chart has one bar segment per bucket and type.
import { describe, expect, it } from "@jest/globals";
import { createSecretMasker } from "../../src/util/mask-secrets.js";
import { pickTimeWindow } from "../../src/observe/dashboard/detection-timeline.js";
import { MAX_LATENCY_POINTS, renderDashboardSections, toLatencyPoints, type DashboardSnapshot } from "../../src/observe/dashboard/render-dashboard.js";
import type { Incident } from "../../src/types.js";
import { makeIncident } from "../helpers/make-incident.js";
import { listTopUnknownTemplates } from "../../src/discover/list-top-unknown-templates.js";

const BOT_TOKEN = "123456789:AAHk2oW3_secretTokenPartThatIsLong12";
const WEBHOOK_SECRET = "hook-secret-9f8e7d6c";
const NOW = Date.parse("2026-12-07T12:00:00Z");

/** A retrying servidor_caido incident whose message and key carry secrets, as a careless bot would log them. */
function incident(over: Partial<Incident>): Incident {
  return makeIncident({
    timestamp: new Date(NOW - 60_000).toISOString(),
    video: "v.mp4",
    error_type: "servidor_caido",
    error_message: `2025-12-25 14:30:20,131 - bot_central - ERROR - https://api.telegram.org/bot${BOT_TOKEN}/sendMessage failed`,
    accion: "reintento 1/3",
    estado: "reintentando",
    intento: 1,
    id: "20261207-115900-servidor_caido-abc123",
    archivo: "/srv/bot/logs/bot_central.log",
    severidad: "critical",
    campos: {},
    ultima_ocurrencia: new Date(NOW - 60_000).toISOString(),
    clave: `servidor_caido|${WEBHOOK_SECRET}`,
    transiciones: [],
    ...over,
  });
}

function snapshot(): DashboardSnapshot {
  const open = [incident({})];
  return {
    nowMs: NOW,
    window: pickTimeWindow("24"),
    health: {
      status: "degraded",
      version: "0.1.0",
      uptime_s: 100,
      sources: [{ name: "bot", path: "/srv/bot/logs/bot_central.log", offset: 1, lag_bytes: 2048, last_line_at: new Date(NOW - 5000).toISOString() }],
      rules: { loaded: 2, files: 1, last_reload: new Date(NOW).toISOString(), last_error: `rules/x.yaml:3: match: bad (${WEBHOOK_SECRET})` },
      incidents_open: { servidor_caido: 1 },
      checks: [{ check: "http:backend", ok: false, message: `refused http://u:${WEBHOOK_SECRET}@h/`, motivo: `conexión rechazada http://u:${WEBHOOK_SECRET}@h/`, at: new Date(NOW).toISOString() }],
      notifier: { queued: 1, sent: 2, failed: 1, dropped: 0 },
    },
    open,
    journal: [
      ...open,
      incident({ id: "a", estado: "solucionado", error_type: "ruta_inexistente", timestamp: new Date(NOW - 3 * 3_600_000).toISOString(), duracion_ms: 1200 }),
      incident({ id: "b", estado: "fallido", error_type: "ruta_inexistente", timestamp: new Date(NOW - 3 * 3_600_000 + 60_000).toISOString() }),
      incident({ id: "c", estado: "solucionado", error_type: "permisos", timestamp: new Date(NOW - 30 * 3_600_000).toISOString() }),
    ],
    ruleIds: ["servidor_caido", "ruta_inexistente"],
    ruleHits: { servidor_caido: 4 },
    checkRuns: [
      { at_ms: NOW - 2000, check: "http:backend", kind: "http", target: "http://127.0.0.1:8000/health", ok: true, latency_ms: 12, reason: "HTTP 200" },
      { at_ms: NOW - 1000, check: "http:backend", kind: "http", target: "http://127.0.0.1:8000/health", ok: false, latency_ms: 3, reason: `refused ${BOT_TOKEN}` },
    ],
    notifierFailure: { atMs: NOW - 10_000, message: `webhook https://hooks.example/${WEBHOOK_SECRET}: HTTP 500` },
    unknown: listTopUnknownTemplates([
      {
        id: "6400dc480548",
        plantilla: "<TS> - bot - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>",
        total: 7,
        primera_vez: new Date(NOW - 600_000).toISOString(),
        ultima_vez: new Date(NOW - 60_000).toISOString(),
        fuentes: ["bot"],
        ejemplos: ["2025-12-25 14:30:00,000 - bot - ERROR - ValueError: cuota de Telegram agotada para modelo ana"],
        avisado: true,
      },
      {
        id: "0b1c2d3e4f50",
        plantilla: "<TS> - bot - ERROR - <*> rechazó el token",
        total: 2,
        primera_vez: new Date(NOW - 120_000).toISOString(),
        ultima_vez: new Date(NOW - 30_000).toISOString(),
        fuentes: ["bot", "backend"],
        ejemplos: [`2025-12-25 14:31:00,000 - bot - ERROR - https://api.telegram.org/bot${BOT_TOKEN}/getMe <b>rechazó</b> el token`],
        avisado: false,
      },
    ]),
  };
}

describe("dashboard sections", () => {
  it("masks configured secrets and token-shaped strings everywhere", () => {
    const masker = createSecretMasker([WEBHOOK_SECRET]);
    const html = Object.values(renderDashboardSections(snapshot(), masker.maskText)).join("\n");
    expect(html).not.toContain(WEBHOOK_SECRET);
    expect(html).not.toContain("secretTokenPart");
    expect(html).toContain("***");
    // What is not secret is still there.
    expect(html).toContain("reintento 1/3");
    expect(html).toContain("/srv/bot/logs/bot_central.log");
  });

  it("draws one bar segment per hour and type within the window, and the fix table per type", () => {
    const sections = renderDashboardSections(snapshot(), (t) => t);
    // The permisos incident is 30 h old: outside the 24 h window.
    const counts = [...sections["detecciones"]!.matchAll(/data-serie="([^"]+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(counts).toEqual([
      ["ruta_inexistente", 2],
      ["servidor_caido", 1],
    ]);
    expect(sections["detecciones"]).toContain('data-detecciones="3"');
    expect(sections["tipos"]).toMatch(/<tr data-tipo="ruta_inexistente">.*data-estado="solucionado">1<.*data-estado="fallido">1<.*50,0 %/);
    expect(sections["reglas"]).toMatch(/<tr data-regla="servidor_caido"><td>servidor_caido<\/td><td class="num">4<\/td>/);
    expect(sections["comprobaciones"]).toContain("disponibilidad 50,0 %");
  });

  it("lists the unclaimed error templates, most frequent first, with sources and an escaped sample", () => {
    const section = renderDashboardSections(snapshot(), createSecretMasker([]).maskText)["desconocidos"]!;
    expect([...section.matchAll(/data-plantilla="([^"]+)"><td class="num" data-total="(\d+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual([
      ["6400dc480548", 7],
      ["0b1c2d3e4f50", 2],
    ]);
    expect(section).toContain('data-desconocidos="2"');
    expect(section).toContain("ValueError: cuota de Telegram agotada para modelo &lt;MODELO&gt;");
    expect(section).toContain("<td>bot, backend</td>");
    expect(section).toContain("&lt;b&gt;rechazó&lt;/b&gt;");
    expect(section).not.toContain("secretTokenPart");
  });

  it("keeps a day of 30 s runs to a bounded number of dots without losing a single failed run", () => {
    const fromMs = NOW - 86_400_000;
    const runs = Array.from({ length: 2880 }, (_, i) => ({
      at_ms: fromMs + (i + 1) * 30_000,
      check: "http:backend",
      kind: "http" as const,
      target: "http://127.0.0.1:8000/health",
      ok: i !== 1500,
      latency_ms: i === 700 ? 900 : 10,
      reason: i === 1500 ? "refused" : "HTTP 200",
    }));
    const points = toLatencyPoints(runs, fromMs, NOW, (t) => t);
    expect(points.length).toBeLessThanOrEqual(MAX_LATENCY_POINTS);
    expect(points.filter((p) => !p.ok)).toHaveLength(1);
    expect(Math.max(...points.map((p) => p.value))).toBe(900);
    expect(toLatencyPoints(runs.slice(0, 50), fromMs, NOW, (t) => t)).toHaveLength(50);
  });
});
