/**
 * Debian's Chromium, driven headless by playwright-core (no browser download: `npm test`'s pretest installs the
 * `chromium` package with apt-get when it is missing). Tests look at pages as a person would and save
 * screenshots next to their other temp files.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = process.env["VIGIA_CHROMIUM"] ?? "/usr/bin/chromium";

/** Launches headless Chromium; fails with what to install when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium), or set VIGIA_CHROMIUM`);
  }
  // No sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/** Every request a page made that failed or answered 4xx/5xx, and every request to another origin. */
export function trackRequests(page: Page, origin: string | null): { failed: string[]; foreign: string[] } {
  const failed: string[] = [];
  const foreign: string[] = [];
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("data:")) return;
    if (origin === null ? !url.startsWith("file:") : !url.startsWith(origin)) foreign.push(url);
  });
  page.on("requestfailed", (req) => failed.push(`${req.url()}: ${req.failure()?.errorText ?? "failed"}`));
  page.on("response", (res) => {
    if (res.status() >= 400) failed.push(`${res.url()}: HTTP ${res.status()}`);
  });
  return { failed, foreign };
}
