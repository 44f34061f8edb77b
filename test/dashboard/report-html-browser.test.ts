// `vigia report --html` opened in headless Chromium from the disk, as an admin opens an archived report: it
// loads nothing (no failed request, none to any other place), shows the type × estado table with the journal's
// numbers and one chart bar segment per detection bucket and type, and reads in dark mode.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { removeDir } from "../helpers/temp-dir.js";
import { FAKE_BOT, killLeftovers, makeWorkdir, readJournal, runVigia, type JournalEntry } from "../cli/cli-harness.js";
import { launchBrowser, trackRequests } from "./browser-harness.js";

const HANG_MS = 60_000;
let dir: string;
let journal: JournalEntry[];
let browser: Browser;

beforeAll(async () => {
  dir = makeWorkdir();
  const run = await runVigia(["supervise", "--", "python3", FAKE_BOT, "--scenario", "errors", "--root", dir, "--retry-after", "0.5"], dir);
  expect(run.code).toBe(0);
  journal = readJournal(join(dir, "logs", "descarga_errors.json"));
  browser = await launchBrowser();
}, 2 * HANG_MS);

afterAll(async () => {
  await browser?.close();
  await killLeftovers();
  removeDir(dir);
}, HANG_MS);

describe("report --html in a browser", () => {
  it("opens offline with zero failed requests and shows the journal's numbers", async () => {
    const out = join(dir, "informe.html");
    const r = await runVigia(["report", "--html", out], dir);
    expect(r.code).toBe(0);
    const context = await browser.newContext({ viewport: { width: 1100, height: 1200 }, colorScheme: "dark", offline: true });
    const page = await context.newPage();
    const requests = trackRequests(page, null);
    const loaded: string[] = [];
    page.on("requestfinished", (req) => loaded.push(req.url()));
    await page.goto(pathToFileURL(out).href);

    expect(await page.title()).toMatch(/^vigia · informe/);
    const types = [...new Set(journal.map((e) => e.error_type))];
    for (const type of types) {
      for (const estado of ["solucionado", "fallido"]) {
        const shown = await page.textContent(`#tipos tr[data-tipo="${type}"] td[data-estado="${estado}"]`);
        expect(shown).toBe(String(journal.filter((e) => e.error_type === type && e.estado === estado).length));
      }
    }
    const bars = await page.$$eval("#detecciones rect.barra", (rects) => rects.map((r) => Number(r.getAttribute("data-count"))));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(journal.length);
    expect(await page.textContent("#recomendaciones h2")).toBe("Recomendaciones");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe("rgb(246, 247, 249)"); // the light theme's: dark mode is followed

    await page.screenshot({ path: join(dir, "informe.png"), fullPage: true });
    expect(requests.failed).toEqual([]);
    expect(requests.foreign).toEqual([]);
    // The file itself is the only thing loaded.
    expect(loaded).toEqual([pathToFileURL(out).href]);
    await context.close();
  }, 2 * HANG_MS);
});
