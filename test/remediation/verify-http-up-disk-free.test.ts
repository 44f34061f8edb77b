import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { closeSync, mkdirSync, openSync, realpathSync, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { VerifySpec } from "../../src/types.js";
import { runVerify } from "../../src/remediation/index.js";
import { loadRules } from "../../src/rules/load-rules.js";
import { formatProblem } from "../../src/util/problems.js";
import { makeContext, makeTraversableTempDir } from "./helpers.js";
import { itUnless } from "../helpers/environment.js";
import { mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";

let base: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: base, cleanup } = makeTraversableTempDir());
  base = realpathSync(base);
  mkdirSync(join(base, "modelos"));
});
afterEach(() => cleanup());

const check = (spec: VerifySpec, fields: Record<string, string> = {}) => runVerify(spec, fields, makeContext(base), { dryRun: false });

describe("http_up: the server answers HTTP at all, or its health URL says 2xx", () => {
  let server: Server;
  let url: string;
  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url === "/health-ok") return void res.writeHead(200).end("ok");
      if (req.url === "/proxy") return void res.writeHead(502).end("bad gateway");
      res.writeHead(404).end('{"ok":false,"error_code":404}'); // telegram-bot-api on `/`
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("a 404 on / is up; a proxy's 5xx and a refused connection are down", async () => {
    const fields = { "config.bot_api_url": url, "config.bot_api_health_url": "" };
    const spec: VerifySpec = { type: "http_up", url: "{config.bot_api_url}", health_url: "{config.bot_api_health_url}" };
    expect(await check(spec, fields)).toMatchObject({ ok: true, descripcion: `GET ${url}/ → responde HTTP`, detalle: expect.stringMatching(/^HTTP 404/) });
    expect((await check({ type: "http_up", url: `${url}/proxy` })).ok).toBe(false);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect(await check(spec, fields)).toMatchObject({ ok: false, detalle: expect.stringMatching(/^sin respuesta: /) });
    await new Promise<void>((r) => server.listen(Number(new URL(url).port), "127.0.0.1", r));
  });

  it("with a health URL, only its 2xx/3xx is up", async () => {
    const spec: VerifySpec = { type: "http_up", url: "{config.bot_api_url}", health_url: "{config.bot_api_health_url}" };
    expect((await check(spec, { "config.bot_api_url": url, "config.bot_api_health_url": `${url}/missing` })).ok).toBe(false);
    expect(await check(spec, { "config.bot_api_url": url, "config.bot_api_health_url": `${url}/health-ok` })).toMatchObject({
      ok: true,
      descripcion: `GET ${url}/health-ok → 2xx/3xx`,
    });
  });
});

describe("disk_free measures the filesystem of the path that failed", () => {
  const unmounts: (() => void)[] = [];
  // Before the temp folder is removed (the outer afterEach): a mounted folder cannot be.
  afterEach(() => {
    for (const unmount of unmounts.splice(0)) unmount();
  });

  /** `modelos/` becomes a full 8 MiB tmpfs (root only) while the temp folder's own disk has room. */
  function mountFullTmpfs(): void {
    unmounts.push(mountTmpfs(join(base, "modelos"), "8m"));
    const fd = openSync(join(base, "modelos", "relleno.bin"), "w");
    try {
      for (;;) writeSync(fd, Buffer.alloc(1024 * 1024));
    } catch {
      /* ENOSPC: full */
    } finally {
      closeSync(fd);
    }
  }

  itUnless(whyNoTmpfs())("a missing file under a full tmpfs is measured there, not on the working folder's disk", async () => {
    mountFullTmpfs();
    const spec: VerifySpec = { type: "disk_free", path: "{path}", fallback_path: "{config.download_root}", min_gb: "{config.disk_warn_gb}" };
    const config = { "config.download_root": join(base, "modelos"), "config.disk_warn_gb": "0.001" };
    const named = await check(spec, { ...config, path: "modelos/ana/20251225_143020_a3f2b1.mp4" });
    expect(named).toMatchObject({ ok: false, descripcion: "modelos: ≥ 0.001 GB libres" });
    // No path in the message: the download root.
    expect(await check(spec, config)).toMatchObject({ ok: false, descripcion: "modelos: ≥ 0.001 GB libres" });
    // The working folder itself has room.
    expect((await check({ type: "disk_free", path: ".", min_gb: 0.001 })).ok).toBe(true);
  });

  it("min_gb takes a {config.…} value", async () => {
    expect((await check({ type: "disk_free", path: "modelos", min_gb: "{config.disk_warn_gb}" }, { "config.disk_warn_gb": "0" })).ok).toBe(true);
    expect((await check({ type: "disk_free", path: "modelos", min_gb: "{config.disk_warn_gb}" }, { "config.disk_warn_gb": "1e9" })).ok).toBe(false);
  });
});

describe("{config.…} values in rule files", () => {
  function loadRule(lines: string[]): string[] {
    const file = join(base, "rules.yaml");
    writeFileSync(file, ["rules:", "  - id: servidor_caido", "    match: 'All connection attempts failed'", ...lines, ""].join("\n"));
    return loadRules([file], { redosCacheFile: null }).problems.map(formatProblem);
  }

  it("are accepted in verify and actions", () => {
    expect(loadRule(["    verify: { type: http_up, url: '{config.bot_api_url}', health_url: '{config.bot_api_health_url}' }"])).toEqual([]);
    expect(loadRule(["    actions: [{ type: exec, command: [curl, '{config.bot_api_url}'] }]"])).toEqual([]);
  });

  it("an unknown name, or one in key / resolve_on, is a load error with file:line", () => {
    expect(loadRule(["    verify: { type: http_up, url: '{config.bot_api_ulr}' }"])).toEqual([
      expect.stringMatching(/rules\.yaml:4: rules\[0\]\.verify\.url: unknown config value 'config\.bot_api_ulr' \(known: config\.bot_api_url, config\.bot_api_health_url, /),
    ]);
    expect(loadRule(["    key: '{config.bot_api_url}'"])).toEqual([
      expect.stringMatching(/rules\.yaml:4: rules\[0\]\.key: config value 'config\.bot_api_url' is only available in actions and verify/),
    ]);
  });
});
