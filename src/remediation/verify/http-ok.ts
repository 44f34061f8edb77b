import type { CheckAnswer, VerifyHandler } from "./verify-handler.js";
import { isServerUp } from "../../util/is-server-up.js";
import { readFilledString, readTimeoutMs } from "../spec-options.js";
import { InvalidSpecError } from "../errors.js";
import { classifyFetchFailure } from "../../util/describe-fetch-error.js";
import { redactUrl } from "../../util/redact-url.js";

export const DEFAULT_HTTP_TIMEOUT_MS = 5000;

/** `http_ok {url, timeout?}`: a GET answers 2xx or 3xx (redirects not followed) within the timeout (default 5 s). */
export const httpOkVerify: VerifyHandler = {
  type: "http_ok",
  async plan(spec, fields, ctx) {
    const url = parseHttpUrl("http_ok", "url", readFilledString(spec, "url", fields));
    const timeoutMs = readTimeoutMs(spec, DEFAULT_HTTP_TIMEOUT_MS);
    return {
      descripcion: `GET ${redactUrl(url)} → 2xx/3xx`,
      description: `GET ${redactUrl(url)} → 2xx/3xx`,
      readOnly: true,
      check: () => checkHttpStatus(url, timeoutMs, ctx.signal, (status) => isServerUp(status, true)),
    };
  },
};

/** A filled template as an http(s) URL, or an invalid spec naming the option. */
export function parseHttpUrl(type: string, option: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidSpecError(type, option, "an http(s) URL", text);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidSpecError(type, option, "an http(s) URL", url.protocol);
  return url;
}

/** One GET (redirects not followed) judged by its status; no answer within the timeout is a failure. */
export async function checkHttpStatus(
  url: URL,
  timeoutMs: number,
  signal: AbortSignal,
  isUp: (status: number) => boolean,
): Promise<CheckAnswer> {
  const started = performance.now();
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) });
    await response.body?.cancel().catch(() => undefined);
    const ms = Math.round(performance.now() - started);
    return { ok: isUp(response.status), detalle: `HTTP ${response.status} en ${ms} ms`, message: `HTTP ${response.status} in ${ms} ms` };
  } catch (error) {
    const [detalle, message] = describeFetchFailure(error, timeoutMs);
    return { ok: false, detalle: `sin respuesta: ${detalle}`, message: `no answer: ${message}` };
  }
}


/**
 * A GET that got no answer, for the journal (Spanish) and the log (English): the timeout, a cancel, or the network
 * cause (ECONNREFUSED…), which is the same code in both.
 */
function describeFetchFailure(error: unknown, timeoutMs: number): [string, string] {
  const failure = classifyFetchFailure(error);
  if (failure.kind === "timeout") return [`más de ${timeoutMs} ms`, `over ${timeoutMs} ms`];
  if (failure.kind === "aborted") return ["cancelado", "cancelled"];
  return [failure.reason, failure.reason];
}
