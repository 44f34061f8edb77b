/**
 * vigia's own status endpoint: `GET /health` (JSON from the engine's provider), `GET /metrics` (Prometheus text
 * from the registry), and whatever extra routes the engine adds (the dashboard). Plain node:http — a handful of
 * routes need no framework. It binds exactly what it is given; refusing an address other machines can reach
 * without a token is the config's job, checking that token on every request is this file's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { authorizeStatusRequest } from "./authorize-status-request.js";
import type { HealthReport, Readiness } from "./health-report.js";
import type { ListenAddress } from "./listen-address.js";

/** The status server could not start (address in use, no permission…); the engine logs it and runs without it. */
export class StatusServerError extends Error {
  constructor(
    message: string,
    readonly address: ListenAddress,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StatusServerError";
  }
}

export interface StatusServerOptions {
  /** `host:port`; default `127.0.0.1:9464`. Port 0 picks a free port (tests). */
  listen: ListenAddress;
  /** Required on every request when set (bearer header, or the cookie a `?token=` visit sets). */
  token?: string | null;
  getHealth: () => HealthReport | Promise<HealthReport>;
  /** For `/health/ready`; without it the route answers ready as soon as the server listens. */
  getReadiness?: () => Readiness | Promise<Readiness>;
  registry: Registry;
  /** More GET routes by exact path (`/`, `/events`…); a handler writes the whole response itself. */
  routes?: Readonly<Record<string, StatusRoute>>;
  /** A request handler failed (provider threw); default: ignored (the client gets a 500). */
  onError?: (error: unknown, path: string) => void;
}

/** One extra route; `url` is the parsed request URL. */
export type StatusRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface StatusServer {
  /** Binds and resolves with the bound address; rejects with StatusServerError. */
  start(): Promise<ListenAddress>;
  /** Closes the listener and open connections. */
  stop(): Promise<void>;
  /** The bound address, null when not listening. */
  address(): ListenAddress | null;
}

/** Creates a status server (not listening until `start`). */
export function createStatusServer(options: StatusServerOptions): StatusServer {
  const wanted = options.listen;
  let server: Server | null = null;
  let bound: ListenAddress | null = null;

  const routes: Record<string, StatusRoute> = {
    "/health": async (_req, res) => sendJson(res, 200, await options.getHealth()),
    "/metrics": async (_req, res) => send(res, 200, options.registry.contentType, await options.registry.metrics()),
    // For service managers and container probes: live = the process answers; ready = it does its job.
    "/health/live": (_req, res) => sendJson(res, 200, { live: true }),
    "/health/ready": async (_req, res) => {
      const readiness = (await options.getReadiness?.()) ?? { ready: true, problems: [] };
      sendJson(res, readiness.ready ? 200 : 503, readiness);
    },
    ...options.routes,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://status");
    const access = authorizeStatusRequest(req, url, options.token ?? null);
    if (!access.ok) {
      // Before anything else, 404s included: without the token a client learns nothing, not even the routes.
      res.setHeader("WWW-Authenticate", 'Bearer realm="vigia"');
      return sendJson(res, 401, { error: "status.token required: send 'Authorization: Bearer <token>' or open /?token=<token>" });
    }
    if ("redirectTo" in access) {
      res.writeHead(303, { Location: access.redirectTo, "Set-Cookie": access.setCookie, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
      res.end();
      return;
    }
    const route = routes[url.pathname];
    if (!route) return sendJson(res, 404, { error: "not found", endpoints: Object.keys(routes) });
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendJson(res, 405, { error: "method not allowed" });
    }
    try {
      await route(req, res, url);
    } catch (error) {
      options.onError?.(error, url.pathname);
      // The cause stays in vigia's log: a message could carry paths or values not meant for any client.
      if (!res.headersSent) sendJson(res, 500, { error: `${url.pathname} unavailable` });
      else res.destroy();
    }
  }

  return {
    start() {
      if (server) return Promise.resolve(bound!);
      const created = createServer((req, res) => void handle(req, res));
      created.requestTimeout = 10_000;
      created.headersTimeout = 5_000;
      created.keepAliveTimeout = 5_000;
      return new Promise<ListenAddress>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => reject(toStatusServerError(error, wanted));
        created.once("error", onError);
        created.listen(wanted.port, wanted.host, () => {
          created.off("error", onError);
          const info = created.address() as AddressInfo;
          server = created;
          bound = { host: wanted.host, port: info.port };
          resolve(bound);
        });
      });
    },
    stop() {
      const closing = server;
      server = null;
      bound = null;
      if (!closing) return Promise.resolve();
      return new Promise<void>((resolve) => {
        closing.close(() => resolve());
        // Prometheus keeps scrape connections alive: without this, close() waits for their idle timeout.
        closing.closeAllConnections();
      });
    },
    address: () => bound,
  };
}

/** Writes a complete response with the headers every status answer carries. */
export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", `${JSON.stringify(value, null, 2)}\n`);
}

/** A listen failure as a message an operator can act on. */
function toStatusServerError(error: NodeJS.ErrnoException, address: ListenAddress): StatusServerError {
  const where = `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
  const message =
    error.code === "EADDRINUSE"
      ? `status server: ${where} is already in use (another vigia running?); set status.listen to a free port`
      : error.code === "EACCES"
        ? `status server: no permission to listen on ${where}`
        : error.code === "EADDRNOTAVAIL"
          ? `status server: ${address.host} is not an address of this machine`
          : `status server: cannot listen on ${where}: ${error.message}`;
  return new StatusServerError(message, address, error.code, { cause: error });
}
