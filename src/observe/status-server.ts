/**
 * vigia's own status endpoint: `GET /health` (JSON from the engine's provider) and `GET /metrics` (Prometheus
 * text from the registry). Plain node:http — two routes need no framework. It binds exactly what it is given;
 * keeping it on loopback unless configured otherwise is the config's job.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { HealthReport } from "./health-report.js";
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
  getHealth: () => HealthReport | Promise<HealthReport>;
  registry: Registry;
  /** A request handler failed (provider threw); default: ignored (the client gets a 500). */
  onError?: (error: unknown, path: string) => void;
}

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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://status").pathname;
    const route = ROUTES[path];
    if (!route) return sendJson(res, 404, { error: "not found", endpoints: Object.keys(ROUTES) });
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendJson(res, 405, { error: "method not allowed" });
    }
    try {
      if (route === "health") sendJson(res, 200, await options.getHealth());
      else send(res, 200, options.registry.contentType, await options.registry.metrics());
    } catch (error) {
      options.onError?.(error, path);
      // The cause stays in vigia's log: a message could carry paths or values not meant for any client.
      sendJson(res, 500, { error: `${route} unavailable` });
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

const ROUTES: Record<string, "health" | "metrics"> = { "/health": "health", "/metrics": "metrics" };

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
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
