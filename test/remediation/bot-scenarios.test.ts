import { it, expect, beforeEach, afterEach } from "@jest/globals";
import { chownSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ActionSpec, Transicion, VerifySpec } from "../../src/types.js";
import { createExecutor, type Executor, type RemediationOutcome } from "../../src/remediation/index.js";
import { makeRule } from "../helpers/make-rule.js";
import { BOT_PYTHON, NEEDS_BOT_USER, NOBODY_GID, NOBODY_UID, makePendingIncident, makeTraversableTempDir, runAsNobody } from "./helpers.js";

/**
 * The pairing vigia is built for: vigia as root beside an unprivileged bot (here `nobody`, through setpriv).
 * A small Python "bot" produces the real error (EACCES, ENOENT, ENOSPC), its log line is matched with the same
 * kind of pattern the shipped rules use, the executor fixes the cause, and the bot's own next attempt succeeds.
 * The incident's journal entry is stood in for by the steps the executor reports.
 */
const describeAsBot = describeIf(BOT_PYTHON !== null, `${NEEDS_BOT_USER}, and a python3 that user can run`);

/** Writes `size` bytes to `path` like a downloader; on failure logs the exception the way the bot does, and exits 1. */
const BOT_PY = `
import sys, logging
logging.basicConfig(format="%(asctime)s - %(levelname)s - %(message)s", level=logging.INFO, stream=sys.stderr)
path, size = sys.argv[1], int(sys.argv[2])
try:
    with open(path, "wb") as f:
        for _ in range(size // 65536 + 1):
            f.write(b"\\0" * min(65536, size))
    logging.info("Descarga exitosa: %s", path)
except Exception as e:
    logging.error("Error descargando %s: %s: %s", path, type(e).__name__, e)
    sys.exit(1)
`;
import { describeIf, itUnless } from "../helpers/environment.js";
import { mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";

/** Patterns in the spirit of rules/descargas.yaml (the rules stage owns the real ones). */
const PATTERNS = {
  permisos: /PermissionError: \[Errno 13\] Permission denied: '(?<path>[^']+)'/,
  ruta_inexistente: /FileNotFoundError: \[Errno 2\] No such file or directory: '(?<path>modelos\/(?<modelo>[^/']+)\/(?<video>[^/']+))'/,
  disco_lleno: /OSError: \[Errno 28\] No space left on device/,
};

describeAsBot("real bot errors fixed by the executor", () => {
  let base: string;
  let cleanup: () => void;
  let executor: Executor;

  beforeEach(() => {
    ({ dir: base, cleanup } = makeTraversableTempDir());
    base = realpathSync(base);
    writeFileSync(join(base, "bot.py"), BOT_PY);
    mkdirSync(join(base, "modelos"));
    executor = createExecutor({ allowedRoots: ["modelos"], baseDir: base, owner: `${NOBODY_UID}:${NOBODY_GID}`, backoffMs: [20, 40, 80] });
  });
  afterEach(async () => {
    await executor.stop();
    cleanup();
  });

  const bot = (path: string, size = 1000) => runAsNobody([BOT_PYTHON!, "bot.py", path, String(size)], base);

  /** Submits the match and returns the outcome plus the transitions the journal would record. */
  async function remediate(ruleId: string, fields: Record<string, string>, actions: ActionSpec[], verify: VerifySpec | null) {
    const transiciones: Transicion[] = [];
    const outcome: RemediationOutcome = await executor.submit({
      incident: makePendingIncident(`${ruleId}:${fields.path ?? ""}`),
      rule: makeRule({ id: ruleId, actions, verify }),
      fields,
      signal: new AbortController().signal,
      report: (step) => transiciones.push({ ...step, timestamp: new Date().toISOString() }),
    });
    return { outcome, transiciones };
  }

  it("permisos: the bot cannot create its file in a root-owned folder; chown the folder; the bot's retry succeeds", async () => {
    mkdirSync(join(base, "modelos/pedro")); // root-owned 0755, as after a careless `sudo mkdir`
    const first = bot("modelos/pedro/20251225_150000_b4c5d6.mp4");
    expect(first.code).toBe(1);
    const fields = first.stderr.match(PATTERNS.permisos)?.groups;
    expect(fields).toEqual({ path: "modelos/pedro/20251225_150000_b4c5d6.mp4" });

    const { outcome, transiciones } = await remediate("permisos", fields!, [{ type: "chown", path: "{path}" }], { type: "path_writable", path: "{path}" });
    expect(outcome).toMatchObject({ estado: "solucionado", intento: 0, accion: `chown ${NOBODY_UID}:${NOBODY_GID} modelos/pedro` });
    expect(transiciones.map((t) => t.estado)).toEqual(["pendiente", "solucionado"]);
    expect(transiciones[1]!.detalle).toBe(`verificado: modelos/pedro/20251225_150000_b4c5d6.mp4 escribible por ${NOBODY_UID}:${NOBODY_GID}`);

    expect(bot("modelos/pedro/20251225_150000_b4c5d6.mp4")).toMatchObject({ code: 0 });
    expect(statSync(join(base, "modelos/pedro/20251225_150000_b4c5d6.mp4")).uid).toBe(NOBODY_UID);
  });

  it("ruta_inexistente: the model's folder is missing; mkdir it for the bot; the bot's retry succeeds", async () => {
    chownSync(join(base, "modelos"), NOBODY_UID, NOBODY_GID);
    const first = bot("modelos/ana/20251225_143020_a3f2b1.mp4");
    expect(first.code).toBe(1);
    const fields = first.stderr.match(PATTERNS.ruta_inexistente)?.groups;
    expect(fields).toEqual({ path: "modelos/ana/20251225_143020_a3f2b1.mp4", modelo: "ana", video: "20251225_143020_a3f2b1.mp4" });

    const { outcome, transiciones } = await remediate(
      "ruta_inexistente",
      { ...fields! },
      [{ type: "mkdir", path: "{path}", parent: true }],
      { type: "path_exists", path: "modelos/{modelo}" },
    );
    expect(outcome).toMatchObject({ estado: "solucionado", accion: "mkdir -p modelos/ana" });
    expect(transiciones.map((t) => t.accion)).toEqual(["mkdir -p modelos/ana", "mkdir -p modelos/ana"]);
    expect(bot("modelos/ana/20251225_143020_a3f2b1.mp4")).toMatchObject({ code: 0 });
  });

  itUnless(whyNoTmpfs())("disco_lleno: a real ENOSPC on a small tmpfs; prune old partial files; the bot's retry fits", async () => {
    const disk = join(base, "modelos/disco");
    const unmount = mountTmpfs(disk, "3m", ["mode=0755", "uid=65534", "gid=65534"]);
    try {
      const old = (Date.now() - 10 * 86_400_000) / 1000;
      for (const name of ["viejo1.part", "viejo2.part"]) {
        writeFileSync(join(disk, name), Buffer.alloc(1024 * 1024, 1));
        utimesSync(join(disk, name), old, old);
      }
      const first = bot("modelos/disco/nuevo.mp4", 2 * 1024 * 1024);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(PATTERNS.disco_lleno);

      const { outcome } = await remediate(
        "disco_lleno",
        {},
        [{ type: "cleanup", path: "modelos/disco/nuevo.mp4" }, { type: "prune", dir: "modelos/disco", glob: "*.part", older_than_days: 1, target_free_gb: 2.5 / 1024 }],
        { type: "disk_free", path: "modelos/disco", min_gb: 2.5 / 1024 },
      );
      expect(outcome).toMatchObject({ estado: "solucionado", intento: 0 });
      expect(existsSync(join(disk, "viejo1.part")) || existsSync(join(disk, "viejo2.part"))).toBe(false);
      expect(bot("modelos/disco/nuevo.mp4", 2 * 1024 * 1024)).toMatchObject({ code: 0 });
    } finally {
      unmount();
    }
  });

  it("servidor_caido: the local Bot API is down, comes back; wait + http_ok closes it on a later attempt", async () => {
    let up = false;
    const server: Server = createServer((_req, res) => res.writeHead(up ? 200 : 503).end(up ? '{"ok":true}' : "down"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const transiciones: Transicion[] = [];
      const outcome = await executor.submit({
        incident: makePendingIncident("servidor_caido"),
        rule: makeRule({ id: "servidor_caido", retries: 3, backoffMs: [30], actions: [{ type: "wait" }], verify: { type: "http_ok", url: "{api}/", timeout: 1 } }),
        fields: { api: url },
        signal: new AbortController().signal,
        report: (step) => {
          transiciones.push({ ...step, timestamp: new Date().toISOString() });
          if (step.accion === "reintento 2/3") up = true; // restarted by its supervisor meanwhile
        },
      });
      expect(outcome).toMatchObject({ estado: "solucionado", intento: 2, accion: "reintento 2/3" });
      expect(transiciones.find((t) => t.intento === 1 && t.estado === "reintentando" && t.accion === "reintento 1/3")).toBeTruthy();
    } finally {
      server.close();
    }
  });

  it("timeout: an operator's retry hook (exec argv with {video}) redoes the download as the bot would", async () => {
    chownSync(join(base, "modelos"), NOBODY_UID, NOBODY_GID);
    mkdirSync(join(base, "modelos/ana"));
    chownSync(join(base, "modelos/ana"), NOBODY_UID, NOBODY_GID);
    const { outcome } = await remediate(
      "timeout",
      { modelo: "ana", video: "20251225_143020_a3f2b1.mp4" },
      [{ type: "exec", command: ["setpriv", `--reuid=${NOBODY_UID}`, `--regid=${NOBODY_GID}`, "--clear-groups", BOT_PYTHON!, "bot.py", "modelos/{modelo}/{video}", "5000"] }],
      { type: "file_min_size", path: "modelos/{modelo}/{video}", bytes: 5000 },
    );
    expect(outcome).toMatchObject({ estado: "solucionado", intento: 0 });
    expect(readFileSync(join(base, "modelos/ana/20251225_143020_a3f2b1.mp4")).length).toBeGreaterThanOrEqual(5000);
  });
});
