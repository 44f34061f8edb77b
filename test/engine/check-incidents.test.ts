import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config/index.js";
import { Engine } from "../../src/engine/engine.js";
import { createConsoleLogger } from "../../src/observe/logger.js";
import type { Incident } from "../../src/types.js";
import { waitFor } from "../helpers/wait-for.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-engine-checks-");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("periodic checks feed the incident flow", () => {
  it("a failing HTTP service opens servicio_caido; its recovery closes it solucionado", async () => {
    let healthy = false;
    const server: Server = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 500, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: healthy ? "ok" : "error" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const dir = newTempDir();
    mkdirSync(join(dir, "rules"));
    writeFileSync(
      join(dir, "vigia.config.yaml"),
      [
        "rules: rules",
        "status: null",
        "checks:",
        "  interval: 0.2",
        "  disk: null",
        "  http:",
        `    - { name: backend, url: 'http://127.0.0.1:${port}/health', failure_threshold: 2, timeout: 1, expect_json: { status: ok } }`,
      ].join("\n"),
    );
    const { config } = await loadConfig({ cwd: dir, env: {} });
    const engine = new Engine({ config, logger: createConsoleLogger({ consoleLevel: "error" }), tailFiles: false });
    await engine.start();
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await engine.stop();
    });

    const open = await waitFor(() => engine.manager.listOpen().find((i) => i.error_type === "servicio_caido"), "servicio_caido open");
    expect(open.fuente).toBe("check:http");
    expect(open.estado).toBe("detectado");
    healthy = true;
    const closed = await waitFor(() => {
      const i = engine.manager.get(open.id);
      return i && i.estado === "solucionado" ? i : undefined;
    }, "servicio_caido solucionado");
    expect(closed.transiciones.at(-1)?.detalle).toMatch(/recuperado/);
    await engine.stop();
    stopped = true;
    const journal = JSON.parse(readFileSync(config.journalPath, "utf8")) as Incident[];
    expect(journal.map((i) => [i.error_type, i.estado])).toEqual([["servicio_caido", "solucionado"]]);
  });
});
