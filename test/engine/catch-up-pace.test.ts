/**
 * A catch-up's journal is the log's, whatever holds its readers back: the real Engine catches up the same old log
 * (forty download timeouts with the shipped rules, the seed's 1 + 2 + 4 s) once with its readers waiting while more
 * than one incident is open, once with the default bound, and both journals hold the same incidents, states and
 * times. Incident time stands still while the readers wait, so a wait never ends for want of lines read.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { Engine } from "../../src/engine/engine.js";
import { createConsoleLogger } from "../../src/observe/logger.js";
import type { Incident } from "../../src/types.js";
import { OLD_LOG_T0, SAVED_AFTER_MS, renderFortyTimeouts } from "../helpers/old-bot-log.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

const newTempDir = useTempDirs("vigia-engine-pace-");
const REPO = resolve(import.meta.dirname ?? ".", "..", "..");

async function catchUp(log: string, maxOpenIncidentsWhileReading?: number): Promise<Incident[]> {
  const dir = newTempDir();
  cpSync(join(REPO, "rules"), join(dir, "rules"), { recursive: true });
  mkdirSync(join(dir, "modelos"));
  mkdirSync(join(dir, "logs"));
  writeFileSync(join(dir, "logs", "bot_central.log"), log);
  writeFileSync(join(dir, "vigia.config.yaml"), ["status: null", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", ""].join("\n"));
  const { config } = await loadConfig({ cwd: dir, env: {} });
  const engine = new Engine({ config, logger: createConsoleLogger({ consoleLevel: "error" }), fromStart: true, runChecks: false, serveStatus: false, maxOpenIncidentsWhileReading });
  await engine.start();
  const journal = () => (existsSync(config.journalPath) ? (JSON.parse(readFileSync(config.journalPath, "utf8")) as Incident[]) : []);
  try {
    await waitFor(() => journal().filter((i) => i.error_type === "timeout" && i.resuelto !== null).length === 40, { what: "40 timeouts closed", timeoutMs: 90_000 });
  } finally {
    await engine.stop();
  }
  // Everything but what names this run's workspace: the ids, the log's path and inode.
  return journal()
    .map((i) => ({ ...i, id: "", archivo: "", posicion: null }))
    .sort((a, b) => a.clave.localeCompare(b.clave));
}

describe("a catch-up's pace", () => {
  it("changes nothing in the journal: readers held at one open incident, or at the default bound", async () => {
    const log = renderFortyTimeouts();
    const held = await catchUp(log, 1);
    const free = await catchUp(log);
    // Each closed at the log's time: at the saved line when it came within the retries' 7 s, else at the last retry.
    expect(held.map((i) => [i.estado, Date.parse(i.resuelto!) - (OLD_LOG_T0 + 5000 + Number(/_1430(\d\d)_/.exec(i.clave)![1]) * 10_000)])).toEqual(
      Array.from({ length: 40 }, (_, n) => {
        const delay = SAVED_AFTER_MS[n % SAVED_AFTER_MS.length]!;
        return delay !== null && delay <= 7000 ? ["solucionado", delay] : ["fallido", 7000];
      }),
    );
    expect(held).toEqual(free);
  }, 200_000);
});
