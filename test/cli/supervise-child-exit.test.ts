// A supervised bot that ends on its own ends vigia too, once the remediations its log asked for have ended: a short
// run (a test run of the bot, a cron job) leaves the missing folder created and the journal telling how it ended.
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { removeDir } from "../helpers/temp-dir.js";
import { killLeftovers, makeWorkdir, readJournal, runVigia } from "./cli-harness.js";

const dirs: string[] = [];
afterEach(async () => {
  await killLeftovers();
  dirs.splice(0).forEach(removeDir);
});

const BOT = [
  "import logging, sys",
  'logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")',
  'log = logging.getLogger("bot_central")',
  "try:",
  '    open("modelos/ana/20251225_143020_a3f2b1.mp4", "wb")',
  "except OSError:",
  '    log.exception("Error al guardar el video")',
].join("\n");

describe("vigia supervise -- CMD, when the bot ends on its own", () => {
  it("finishes the remediation the bot's last lines asked for, then stops with the bot's exit code", async () => {
    const dir = makeWorkdir();
    dirs.push(dir);
    const result = await runVigia(["supervise", "--", "python3", "-c", BOT], dir);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, "modelos", "ana"))).toBe(true);
    const journal = readJournal(join(dir, "logs", "descarga_errors.json"));
    expect(journal.map((i) => [i.error_type, i.estado, i.campos["dir"]])).toEqual([["ruta_inexistente", "solucionado", "modelos/ana"]]);
    expect(result.stdout).toMatch(/solucionados: 1/);
  });
});
