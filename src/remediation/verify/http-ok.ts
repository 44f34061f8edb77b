import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readTimeoutMs } from "../spec-options.js";
import { InvalidSpecError } from "../errors.js";

const DEFAULT_HTTP_TIMEOUT_MS = 5000;

/** `http_ok {url, timeout?}`: a GET answers 2xx or 3xx (redirects not followed) within the timeout (default 5 s). */
export const httpOkVerify: VerifyHandler = {
  type: "http_ok",
  async plan(spec, fields, ctx) {
    const rawUrl = readFilledString(spec, "url", fields);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new InvalidSpecError("http_ok", "url", "an http(s) URL", rawUrl);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidSpecError("http_ok", "url", "an http(s) URL", url.protocol);
    const timeoutMs = readTimeoutMs(spec, DEFAULT_HTTP_TIMEOUT_MS);
    const shown = redactUrl(url);
    return {
      descripcion: `GET ${shown} → 2xx/3xx`,
      readOnly: true,
      async check() {
        const started = performance.now();
        try {
          const response = await fetch(url, {
            redirect: "manual",
            signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ctx.signal]),
          });
          await response.body?.cancel().catch(() => undefined);
          const ms = Math.round(performance.now() - started);
          return { ok: response.status >= 200 && response.status < 400, detalle: `HTTP ${response.status} en ${ms} ms` };
        } catch (error) {
          return { ok: false, detalle: `sin respuesta: ${describeFetchError(error, timeoutMs)}` };
        }
      },
    };
  },
};

/** The URL without credentials or query (a Bot API URL carries the bot token in its path: keep only the origin then). */
export function redactUrl(url: URL): string {
  const path = /\/bot\d+:[^/]+/.test(url.pathname) ? "/…" : url.pathname;
  return `${url.protocol}//${url.host}${path}`;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === "TimeoutError") return `más de ${timeoutMs} ms`;
  if (err?.name === "AbortError") return "cancelado";
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}
