/**
 * `vigia demo --telegram --keep`, as a newcomer runs it: the fixtures replayed through the real engine, the alerts
 * sent through grammY to the fake Bot API and printed, the folder kept with its journal. It ends by itself.
 */
import { afterAll, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { removeDir } from "../helpers/temp-dir.js";
import { makeWorkdir, readJournal, runVigia } from "./cli-harness.js";

const workdir = makeWorkdir();
let kept: string | null = null;
afterAll(() => {
  removeDir(workdir);
  if (kept) removeDir(kept);
});

it("replays the fixtures, prints what the fake Bot API received, and keeps its folder", async () => {
  const { code, stdout } = await runVigia(["demo", "--telegram", "--keep"], workdir);
  kept = /^kept: (.+)$/m.exec(stdout)?.[1] ?? null;
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Messages the fake Bot API received \(http:\/\/127\.0\.0\.1:\d+\):$/m);
  expect(stdout).toContain("<b>Monitor de Descargas</b>");
  expect(kept).not.toBeNull();
  const journal = readJournal(join(kept!, "logs", "descarga_errors.json"));
  expect(new Set(journal.map((i) => i.error_type))).toEqual(new Set(["corrupto", "disco_lleno", "permisos", "ruta_inexistente", "servidor_caido", "timeout"]));
  expect(stdout).toContain(`$ jq -r '.[].error_type' ${join(kept!, "logs", "descarga_errors.json")}`);
  expect(existsSync(join(kept!, "rules"))).toBe(true);
}, 90_000);
