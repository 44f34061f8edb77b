/** A real HTTP server on 127.0.0.1 whose behaviour tests switch on cue: healthy, failing, hanging, or gone. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ServerMode = "ok" | "error500" | "mismatch" | "not_found" | "bad_gateway" | "hang";

export interface TestServer {
  url: string;
  port: number;
  mode: ServerMode;
  /** Requests seen, newest last. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage["headers"] }>;
  /** Stops listening and drops every connection: the next probe is refused. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

export async function startTestServer(mode: ServerMode = "ok"): Promise<TestServer> {
  let server: Server | null = null;
  const state: TestServer = {
    url: "",
    port: 0,
    mode,
    requests: [],
    close: async () => {
      const s = server;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    reopen: async () => {
      server = await listen(state.port);
    },
  };
  const listen = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        state.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
        switch (state.mode) {
          case "ok":
            res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "ok", version: "1.2" }));
            return;
          case "mismatch":
            res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "degraded" }));
            return;
          case "error500":
            res.writeHead(500).end("internal error");
            return;
          case "not_found":
            res.writeHead(404).end("Not Found");
            return;
          case "bad_gateway":
            res.writeHead(502).end("Bad Gateway");
            return;
          case "hang":
            return; // never answers
        }
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => resolve(s));
    });
  server = await listen(0);
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}
