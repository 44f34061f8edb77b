/**
 * One HTTP request for a health probe, on a fresh connection (no keep-alive pool): a pooled socket to a server
 * that died would hide the failure or report it late, and each probe should measure the service as a new client
 * sees it.
 */
import { request as requestHttp } from "node:http";
import { request as requestHttps } from "node:https";

/** Why a probe got no HTTP answer; these words go into alerts as the reason. */
export type ProbeFailureReason = "refused" | "timeout" | "dns" | "reset" | "invalid_url" | "error";

/** A probe that got no HTTP answer at all (any status code counts as an answer). */
export class HttpProbeError extends Error {
  constructor(
    readonly reason: ProbeFailureReason,
    readonly url: string,
    readonly latencyMs: number,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(code && reason === "error" ? `${reason} (${code})` : reason, options);
    this.name = "HttpProbeError";
  }
}

export interface HttpProbeOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Whole request: connect, headers and body. */
  timeoutMs: number;
  /** Body bytes kept for matching; the rest is read and dropped. */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

export interface HttpProbeAnswer {
  status: number;
  body: string;
  latencyMs: number;
}

/** Sorts a socket error code into the reasons an operator reads. */
function classifyProbeError(code: string | undefined): ProbeFailureReason {
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return "dns";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    case "ETIMEDOUT":
      return "timeout";
    default:
      return "error";
  }
}

/** Sends one request and resolves with the status and (capped) body, or rejects with an HttpProbeError. */
export function probeHttp(options: HttpProbeOptions): Promise<HttpProbeAnswer> {
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`unsupported protocol ${url.protocol}`);
  } catch (error) {
    return Promise.reject(new HttpProbeError("invalid_url", options.url, 0, undefined, { cause: error }));
  }
  const request = url.protocol === "https:" ? requestHttps : requestHttp;
  const toProbeError = (error: NodeJS.ErrnoException): HttpProbeError =>
    new HttpProbeError(classifyProbeError(error.code), options.url, latency(), error.code, { cause: error });

  return new Promise<HttpProbeAnswer>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let req: ReturnType<typeof request> | undefined;
    function finish(error: HttpProbeError | null, answer?: HttpProbeAnswer): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (error) {
        req?.destroy();
        reject(error);
      } else resolve(answer!);
    }
    function onAbort(): void {
      finish(new HttpProbeError("timeout", options.url, latency(), "ABORTED"));
    }

    try {
      req = request(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on("data", (chunk: Buffer) => {
          if (kept >= maxBodyBytes) return;
          const part = chunk.subarray(0, maxBodyBytes - kept);
          chunks.push(part);
          kept += part.length;
        });
        res.on("end", () =>
          finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), latencyMs: latency() }),
        );
        res.on("error", (error: NodeJS.ErrnoException) => finish(toProbeError(error)));
      });
    } catch (error) {
      // A bad method or header character throws synchronously: a misconfiguration, reported like any failure.
      finish(new HttpProbeError("error", options.url, latency(), (error as NodeJS.ErrnoException).code, { cause: error }));
      return;
    }
    req.on("error", (error: NodeJS.ErrnoException) => finish(toProbeError(error)));
    timer = setTimeout(() => finish(new HttpProbeError("timeout", options.url, latency(), undefined)), options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    req.end();
  });
}
