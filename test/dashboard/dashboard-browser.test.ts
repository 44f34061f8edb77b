/// <reference lib="dom" />
// The live dashboard as a person sees it in a real browser: vigia runs off loopback with a token, a check goes
// down and back up, log lines open incidents that are fixed, fail, or wait for an operator, errors no rule claims
// are counted by template; headless Chromium shows each change without a reload, the charts have one mark per detection bucket and per check run, the page
// reads on a phone in dark mode, and nothing it loads fails or comes from elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { BOT_LOG, cleanUpAll, createWorkspace, findFreePort, formatFileNotFoundTraceback, formatPythonLine, readJournal, startVigia, type VigiaDaemon, type Workspace } from "../e2e/vigia-harness.js";
import { launchBrowser, trackRequests } from "./browser-harness.js";
import { waitFor } from "../helpers/wait-for.js";

const TOKEN = "panel-token-0123456789abcdef";
/** Hang guard only: on a loaded 2-core machine a change may take seconds to show. */
const HANG_MS = 60_000;

let ws: Workspace;
let vigia: VigiaDaemon;
let browser: Browser;
let backend: Server;
let backendStatus = 503;
let base: string;

beforeAll(async () => {
  backend = createServer((_req, res) => {
    res.writeHead(backendStatus, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: backendStatus === 200 ? "ok" : "down" }));
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const backendPort = (backend.address() as AddressInfo).port;
  const port = await findFreePort();
  ws = createWorkspace({
    scope: "file",
    config: [
      // Off loopback, as on a server whose dashboard is opened from another machine: a token is required.
      `status: { listen: '0.0.0.0:${port}', token: '${TOKEN}' }`,
      "checks:",
      "  disk: null",
      "  interval: 1",
      "  http:",
      `    - { name: backend, url: 'http://127.0.0.1:${backendPort}/health', failure_threshold: 1, timeout: 2 }`,
      "remediation:",
      "  allowed_roots: [modelos]",
      "  backoff: [0.1, 0.2, 0.4]",
      "",
    ].join("\n"),
  });
  ws.write(
    "rules/panel.yaml",
    [
      "rules:",
      "  - id: espera_operador",
      "    description: A download waits until the operator drops a file named go",
      "    match: 'Esperando al operador para (?<video>\\S+)'",
      "    severity: warning",
      "    actions:",
      `      - { type: exec, command: [bash, -c, 'while [ ! -e "$0" ]; do sleep 0.05; done', '${ws.at("go")}'], timeout: 600 }`,
      "  - id: conversion_fallida",
      "    description: ffmpeg gave up; alert only",
      "    match: 'Conversion failed!'",
      "    severity: warning",
      "",
    ].join("\n"),
  );
  ws.append(BOT_LOG, formatPythonLine("INFO", "Bot iniciado"));
  vigia = await startVigia(ws);
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
}, HANG_MS);

afterAll(async () => {
  await browser?.close();
  await vigia?.stop();
  await new Promise((resolve) => backend?.close(resolve));
  await cleanUpAll();
}, HANG_MS);

/** Text of the cell of `estado` in the fix-rate table's row of `type`, or null without that row. */
function readTypeCount(page: Page, type: string, estado: string): Promise<string | null> {
  return page.evaluate(([t, e]) => document.querySelector(`#tipos tr[data-tipo="${t}"] td[data-estado="${e}"]`)?.textContent ?? null, [type, estado] as const);
}

/** Waits until `fn`, run in the page with `arg`, returns true. */
async function waitInPage<A>(page: Page, what: string, fn: (arg: A) => boolean, arg: A): Promise<void> {
  try {
    // A function, not a string: the page's Content-Security-Policy forbids eval, and must keep doing so.
    await page.waitForFunction(fn as (arg: unknown) => boolean, arg as unknown, { timeout: HANG_MS, polling: 100 });
  } catch (error) {
    throw new Error(`the dashboard never showed ${what}\n--- vigia ---\n${vigia.stderr().slice(-3000)}`, { cause: error });
  }
}

const isLive = (): boolean => document.querySelector("#conexion.viva") !== null;
const isOpen = (type: string): boolean => document.querySelector(`#abiertos tr[data-tipo="${type}"]`) !== null;
const isClosedAs = ([type, estado]: [string, string]): boolean =>
  document.querySelector(`#abiertos tr[data-tipo="${type}"]`) === null &&
  document.querySelector(`#tipos tr[data-tipo="${type}"] td[data-estado="${estado}"]`)?.textContent === "1";
const isCheckOk = ([check, ok]: [string, string]): boolean => document.querySelector(`[data-comprobacion="${check}"]`)?.getAttribute("data-ok") === ok;
const showsUnknownCount = (n: string): boolean => document.querySelector("#desconocidos td[data-total]")?.getAttribute("data-total") === n;
const showsDetections = (n: string): boolean => document.querySelector("[data-detecciones]")?.getAttribute("data-detecciones") === n;

describe("dashboard in a browser", () => {
  it("requires the token, then shows incidents and checks live, with charts that count right", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const requests = trackRequests(page, base);

    // Without the token nothing is shown: not the page, its assets, or the event stream.
    expect((await page.goto(`${base}/`))!.status()).toBe(401);
    for (const path of ["/dashboard.js", "/dashboard.css", "/events", "/health"]) {
      expect((await page.request.get(`${base}${path}`, { failOnStatusCode: false })).status()).toBe(401);
    }
    requests.failed.length = 0;

    // Opening the link with ?token= once sets the cookie and lands on the clean URL.
    await page.goto(`${base}/?token=${TOKEN}`);
    expect(page.url()).toBe(`${base}/`);
    await waitInPage(page, "the live connection", isLive, null);
    await page.evaluate(() => ((window as unknown as { sinRecargar: boolean }).sinRecargar = true));

    // The backend check is down: its incident is open and its card says so.
    await waitInPage(page, "the servicio_caido incident of the down check", isOpen, "servicio_caido");
    await waitInPage(page, "the backend check down", isCheckOk, ["http:backend", "false"]);

    // A log line opens an incident that waits for the operator: it appears, still open.
    ws.append(BOT_LOG, formatPythonLine("WARNING", "Esperando al operador para modelos/ana/20251225_143020_a3f2b1.mp4"));
    await waitInPage(page, "the espera_operador incident after its log line", isOpen, "espera_operador");
    expect(await page.getAttribute('#abiertos tr[data-tipo="espera_operador"]', "data-estado")).toMatch(/^(detectado|pendiente|reintentando)$/);

    // The operator acts: the incident leaves the open list and counts as solucionado, without a reload.
    writeFileSync(ws.at("go"), "");
    await waitInPage(page, "espera_operador solucionado", isClosedAs, ["espera_operador", "solucionado"]);

    // One incident vigia fixes (mkdir), one alert-only that ends fallido.
    ws.append(BOT_LOG, formatFileNotFoundTraceback("modelos/bea/20251225_150000_b4c5d6.mp4") + formatPythonLine("ERROR", "Conversion failed!"));
    await waitInPage(page, "ruta_inexistente solucionado", isClosedAs, ["ruta_inexistente", "solucionado"]);
    await waitInPage(page, "conversion_fallida fallido", isClosedAs, ["conversion_fallida", "fallido"]);
    expect(await readTypeCount(page, "conversion_fallida", "solucionado")).toBe("0");

    // Errors no rule claims: the list of errores no previstos shows their template and count, live.
    for (const modelo of ["ana", "bea", "cris"]) ws.append(BOT_LOG, formatPythonLine("ERROR", `ValueError: cuota de Telegram agotada para modelo ${modelo}`));
    await waitInPage(page, "the unclaimed error template seen 3 times", showsUnknownCount, "3");
    expect(await page.textContent("#desconocidos tr[data-plantilla] td.mensaje")).toBe("<TS> - bot_central - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>");
    expect(await page.textContent("#desconocidos h2")).toMatch(/^Errores no previstos \(sin regla\) 1$/);

    // The backend comes back: the check turns up and its incident closes.
    backendStatus = 200;
    await waitInPage(page, "the backend check up again", isCheckOk, ["http:backend", "true"]);
    await waitInPage(page, "servicio_caido closed", isClosedAs, ["servicio_caido", "solucionado"]);
    expect(await page.evaluate(() => (window as unknown as { sinRecargar?: boolean }).sinRecargar)).toBe(true);

    // The detections chart: one bar segment per (hour, error_type) of the journal, their counts summing to it.
    const journal = readJournal(ws);
    expect(journal.length).toBe(4);
    await waitInPage(page, `${journal.length} detections in the chart`, showsDetections, String(journal.length));
    const bars = await page.$$eval("#detecciones rect.barra", (rects) => rects.map((r) => Number(r.getAttribute("data-count"))));
    const segments = new Set(journal.map((e) => `${Math.floor(Date.parse(e.timestamp) / 3_600_000)}|${e.error_type}`));
    expect(bars).toHaveLength(segments.size);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(journal.length);

    // The latency chart: one dot per stored check run up to the page's last update, the failed ones in red.
    const historyDir = ws.at("logs", ".vigia", "checks");
    const match = await waitFor(async () => {
      const shown = await page.evaluate(() => ({
        ahora: Number(document.querySelector("[data-hora]")?.getAttribute("data-hora")),
        dots: document.querySelectorAll('[data-comprobacion="http:backend"] .punto').length,
        failed: document.querySelectorAll('[data-comprobacion="http:backend"] .punto.fallo').length,
      }));
      const stored = readHistory(historyDir).filter((r) => r.check === "http:backend" && r.at_ms <= shown.ahora);
      return stored.length === shown.dots && stored.filter((r) => !r.ok).length === shown.failed ? { shown, stored } : undefined;
    }, { what: "as many latency dots as stored check runs", timeoutMs: HANG_MS });
    expect(match.shown.failed).toBeGreaterThan(0);
    expect(match.shown.dots).toBeGreaterThan(match.shown.failed);

    await page.screenshot({ path: join(ws.dir, "panel-escritorio.png"), fullPage: true });
    keepScreenshot(join(ws.dir, "panel-escritorio.png"));
    expect(requests.failed).toEqual([]);
    expect(requests.foreign).toEqual([]);
    await page.close();
  }, 4 * HANG_MS);

  it("reads on a phone in dark mode, with no sideways scrolling of the page", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true });
    const page = await context.newPage();
    const requests = trackRequests(page, base);
    await page.goto(`${base}/?token=${TOKEN}&horas=6`);
    await waitInPage(page, "the live connection", isLive, null);
    expect(await page.getAttribute('nav.ventana a[aria-current="true"]', "href")).toBe("?horas=6");
    const look = await page.evaluate(() => {
      const rgb = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number);
      return { luminance: (0.2126 * rgb[0]! + 0.7152 * rgb[1]! + 0.0722 * rgb[2]!) / 255, overflow: document.documentElement.scrollWidth - window.innerWidth };
    });
    expect(look.luminance).toBeLessThan(0.2);
    expect(look.overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ws.dir, "panel-movil.png"), fullPage: true });
    keepScreenshot(join(ws.dir, "panel-movil.png"));
    expect(requests.failed).toEqual([]);
    await context.close();
  }, 2 * HANG_MS);

  it("after a restart, shows the check's uptime over the runs of before, and answers /health/ready", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const before = readHistory(ws.at("logs", ".vigia", "checks")).filter((r) => r.check === "http:backend");
    expect(before.some((r) => !r.ok)).toBe(true);
    expect((await vigia.stop()).code).toBe(0);
    vigia = await startVigia(ws);
    // The banner comes once the log is positioned, before the first read ends: ready follows that read.
    const ready = await waitFor(
      async () => {
        const answer = await fetch(`${base}/health/ready`, { headers: auth });
        return answer.status === 200 ? answer : (await answer.text(), false);
      },
      { what: "/health/ready answering 200", timeoutMs: HANG_MS },
    );
    expect(await ready.json()).toMatchObject({ ready: true, sources_open: true, rules_loaded: true, journal_writable: true });
    expect((await fetch(`${base}/health/live`, { headers: auth })).status).toBe(200);
    const html = await (await fetch(`${base}/?horas=1`, { headers: auth })).text();
    const runs = Number(/data-comprobacion="http:backend".*?(\d+) ejecuciones/s.exec(html)?.[1]);
    // Every run of before the restart is still counted (plus any the new process made since).
    expect(runs).toBeGreaterThanOrEqual(before.length);
    const uptime = /data-comprobacion="http:backend".*?disponibilidad ([\d,]+) %/s.exec(html)?.[1];
    expect(Number(uptime!.replace(",", "."))).toBeLessThan(100);
  }, 3 * HANG_MS);
});

interface StoredRun {
  at_ms: number;
  check: string;
  ok: boolean;
}

function readHistory(dir: string): StoredRun[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
  } catch {
    return [];
  }
  return names.flatMap((n) =>
    readFileSync(join(dir, n), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as StoredRun),
  );
}

/** With VIGIA_SCREENSHOTS=DIR, a copy of each screenshot is kept there (the workspace is removed after the tests). */
function keepScreenshot(path: string): void {
  const dir = process.env["VIGIA_SCREENSHOTS"];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  copyFileSync(path, join(dir, path.slice(path.lastIndexOf("/") + 1)));
}
