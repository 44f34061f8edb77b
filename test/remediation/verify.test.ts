import { describe, it, expect, beforeEach, afterEach } from "@jest/globals";
import { chmodSync, chownSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { VerifySpec } from "../../src/types.js";
import { runVerify, PathRefusedError } from "../../src/remediation/index.js";
import { CAN_DROP_PRIVILEGES, NEEDS_BOT_USER, NOBODY_GID, NOBODY_UID, makeContext, makeTraversableTempDir, runAsNobody } from "./helpers.js";
import { describeIf } from "../helpers/environment.js";

const describeAsBot = describeIf(CAN_DROP_PRIVILEGES, NEEDS_BOT_USER);

let base: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: base, cleanup } = makeTraversableTempDir());
  base = realpathSync(base);
  mkdirSync(join(base, "modelos"));
});
afterEach(() => cleanup());

const check = (spec: VerifySpec, fields: Record<string, string> = {}, ctxOverrides: Parameters<typeof makeContext>[1] = {}, dryRun = false) =>
  runVerify(spec, fields, makeContext(base, ctxOverrides), { dryRun });

describe("file verifications", () => {
  it("path_exists", async () => {
    expect(await check({ type: "path_exists", path: "modelos/{m}" }, { m: "ana" })).toMatchObject({ ok: false, descripcion: "existe modelos/ana" });
    mkdirSync(join(base, "modelos/ana"));
    expect(await check({ type: "path_exists", path: "modelos/{m}" }, { m: "ana" })).toMatchObject({ ok: true });
  });

  it("file_absent", async () => {
    expect((await check({ type: "file_absent", path: "modelos/x.mp4" })).ok).toBe(true);
    writeFileSync(join(base, "modelos/x.mp4"), "x");
    expect(await check({ type: "file_absent", path: "modelos/x.mp4" })).toMatchObject({ ok: false, detalle: "modelos/x.mp4 sigue existiendo" });
  });

  it("file_min_size", async () => {
    const spec: VerifySpec = { type: "file_min_size", path: "modelos/x.mp4", bytes: 1000 };
    expect((await check(spec)).detalle).toBe("modelos/x.mp4 no existe");
    writeFileSync(join(base, "modelos/x.mp4"), Buffer.alloc(999));
    expect((await check(spec)).ok).toBe(false);
    writeFileSync(join(base, "modelos/x.mp4"), Buffer.alloc(1000));
    expect((await check(spec)).ok).toBe(true);
  });

  it("paths are guarded like actions'", async () => {
    const result = await check({ type: "path_exists", path: "/etc/passwd" });
    expect(result.ok).toBe(false);
    expect(result.cause).toBeInstanceOf(PathRefusedError);
  });

  it("disk_free measures any folder (read-only) but refuses control characters", async () => {
    expect((await check({ type: "disk_free", path: "/", min_gb: 0 })).ok).toBe(true);
    expect(await check({ type: "disk_free", path: "mod\u0000elos", min_gb: 0 })).toMatchObject({ ok: false, detalle: expect.stringMatching(/ruta rechazada \(control_char\)/) });
  });

  it("disk_free against the real filesystem", async () => {
    expect((await check({ type: "disk_free", path: "modelos", min_gb: 0 })).ok).toBe(true);
    const full = await check({ type: "disk_free", path: "modelos", min_gb: 1e9 });
    expect(full.ok).toBe(false);
    expect(full.detalle).toMatch(/libres$/);
  });
});

describeAsBot("path_writable judged for the bot's user (vigia runs as root)", () => {
  const owner = `${NOBODY_UID}:${NOBODY_GID}`;

  /** Sets up a case, asks the verification, asks the kernel (touch as nobody): both must agree. */
  async function agreesWithKernel(setup: () => void, relPath: string, expected: boolean): Promise<void> {
    setup();
    const verdict = await check({ type: "path_writable", path: relPath }, {}, { owner });
    const kernel = runAsNobody(["touch", relPath], base).code === 0;
    expect({ relPath, verdict: verdict.ok, kernel }).toEqual({ relPath, verdict: expected, kernel: expected });
  }

  it.each([
    ["root-owned folder 0755, new file", () => mkdirSync(join(base, "modelos/a")), "modelos/a/x.mp4", false],
    ["folder owned by nobody, new file", () => { mkdirSync(join(base, "modelos/a")); chownSync(join(base, "modelos/a"), NOBODY_UID, NOBODY_GID); }, "modelos/a/x.mp4", true],
    ["group-writable folder of nobody's group", () => { mkdirSync(join(base, "modelos/a"), { mode: 0o775 }); chmodSync(join(base, "modelos/a"), 0o775); chownSync(join(base, "modelos/a"), 0, NOBODY_GID); }, "modelos/a/x.mp4", true],
    ["world-writable folder", () => { mkdirSync(join(base, "modelos/a")); chmodSync(join(base, "modelos/a"), 0o777); }, "modelos/a/x.mp4", true],
    ["nobody's folder under a 0700 root-owned one", () => { mkdirSync(join(base, "modelos/p/a"), { recursive: true }); chmodSync(join(base, "modelos/p"), 0o700); chownSync(join(base, "modelos/p/a"), NOBODY_UID, NOBODY_GID); }, "modelos/p/a/x.mp4", false],
    ["existing root file 0644", () => writeFileSync(join(base, "modelos/x.mp4"), "x", { mode: 0o644 }), "modelos/x.mp4", false],
    ["existing file owned by nobody", () => { writeFileSync(join(base, "modelos/x.mp4"), "x"); chownSync(join(base, "modelos/x.mp4"), NOBODY_UID, NOBODY_GID); }, "modelos/x.mp4", true],
  ] as Array<[string, () => void, string, boolean]>)("%s", async (_label, setup, relPath, expected) => {
    await agreesWithKernel(setup, relPath, expected);
  });

  it("says which folder stops the bot", async () => {
    mkdirSync(join(base, "modelos/a"));
    const result = await check({ type: "path_writable", path: "modelos/a/x.mp4" }, {}, { owner });
    expect(result.descripcion).toBe(`modelos/a/x.mp4 escribible por ${owner}`);
    expect(result.detalle).toBe(`${join(base, "modelos/a")}: dueño 0:0 modo 0755, sin escritura+acceso para ${owner}`);
  });

  it("`user` in the spec wins over the configured owner", async () => {
    mkdirSync(join(base, "modelos/a"));
    chownSync(join(base, "modelos/a"), NOBODY_UID, NOBODY_GID);
    expect((await check({ type: "path_writable", path: "modelos/a", user: "nobody" }, {}, { owner: "0:0" })).ok).toBe(true);
    expect((await check({ type: "path_writable", path: "modelos/a", user: "root" }, {}, { owner: "nobody" })).ok).toBe(true);
  });
});

describe("http_ok", () => {
  let server: Server;
  let url: string;
  let failuresLeft: number;
  let requests: number;

  beforeEach(async () => {
    failuresLeft = 2;
    requests = 0;
    server = createServer((req, res) => {
      requests += 1;
      if (req.url === "/hang") return; // never answers
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "/elsewhere" }).end();
        return;
      }
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(502).end("bad gateway");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("fails while the server fails, passes once it recovers", async () => {
    const spec: VerifySpec = { type: "http_ok", url: "{api}/health" };
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await check(spec, { api: url }));
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(results[0]!.detalle).toMatch(/^HTTP 502 en \d+ ms$/);
    expect(results[2]!.descripcion).toBe(`GET ${url}/health → 2xx/3xx`);
    expect(requests).toBe(3);
  });

  it("3xx counts as up (not followed)", async () => {
    expect(await check({ type: "http_ok", url: `${url}/redirect` })).toMatchObject({ ok: true, detalle: expect.stringMatching(/^HTTP 302/) });
  });

  it("no answer within the timeout is down", async () => {
    const result = await check({ type: "http_ok", url: `${url}/hang`, timeout: 0.2 });
    expect(result).toMatchObject({ ok: false, detalle: "sin respuesta: más de 200 ms" });
  });

  it("connection refused is down; a token in a Bot API URL never reaches the message", async () => {
    server.close();
    const result = await check({ type: "http_ok", url: `${url}/bot123456:SECRET-token/getMe` });
    expect(result.ok).toBe(false);
    expect(result.detalle).toContain("ECONNREFUSED");
    expect(JSON.stringify(result)).not.toContain("SECRET");
  });
});

describe("exec_ok", () => {
  it("exit 0 passes, anything else fails; dry-run does not start it", async () => {
    expect((await check({ type: "exec_ok", command: ["node", "-e", "process.exit(0)"] })).ok).toBe(true);
    const failed = await check({ type: "exec_ok", command: ["node", "-e", "process.exit(4)"] });
    expect(failed).toMatchObject({ ok: false, detalle: expect.stringContaining("código de salida 4") });
    const marker = join(base, "modelos/ran");
    const dry = await check({ type: "exec_ok", command: ["touch", marker] }, {}, {}, true);
    expect(dry).toMatchObject({ ok: false, skipped: true, descripcion: `[dry-run] touch ${marker} → código 0` });
  });
});
