/**
 * The jq recipes of docs/journal.md (section "## jq recipes") run with the real jq on a journal the engine
 * wrote (fixture-replay.ts: solucionado, fallido and still-open incidents), so the documented commands stay true.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { JOURNAL, REPO, cleanUpAll, cleanUpTest, createWorkspace, runBash, type Workspace } from "./vigia-harness.js";
import { TERMINAL_ESTADOS, removeHostileDir, replayFixtures } from "./fixture-replay.js";

const PAGE = "docs/journal.md";
const SECTION = "## jq recipes";

/** Every ```sh block of the jq section. */
function readRecipes(): string[] {
  const pagePath = join(REPO, PAGE);
  if (!existsSync(pagePath)) throw new Error(`${PAGE} does not exist: the jq recipes belong in its section '${SECTION}'`);
  const readme = readFileSync(pagePath, "utf8");
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`${PAGE} has no '${SECTION}' section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const next = rest.search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

let ws: Workspace;

beforeAll(async () => {
  ({ ws } = await replayFixtures());
}, 60_000);

afterEach(cleanUpTest);
afterAll(async () => {
  await cleanUpAll();
  removeHostileDir();
});

describe("docs/journal.md jq recipes on the engine's journal (e2e)", () => {
  it("the journal under test mixes solucionado, fallido and open incidents", () => {
    const estados = new Set((JSON.parse(ws.read(JOURNAL)) as Array<{ estado: string }>).map((i) => i.estado));
    expect(estados.has("solucionado")).toBe(true);
    expect(estados.has("fallido")).toBe(true);
    expect([...estados].some((e) => !TERMINAL_ESTADOS.includes(e))).toBe(true);
  });

  it("each recipe is a commented sh block with exactly one jq command over logs/descarga_errors.json, and runs with real jq: exit 0, some output", async () => {
    const recipes = readRecipes();
    expect(recipes.length).toBeGreaterThanOrEqual(5);
    // A folder holding only the journal, as an operator's deployment would.
    const scratch = createWorkspace({ config: null, copyRules: false, modelos: false });
    scratch.write(JOURNAL, ws.read(JOURNAL));
    for (const recipe of recipes) {
      // Each assertion carries the recipe, so a failure names the block at fault.
      const lines = recipe.trimEnd().split("\n");
      expect([recipe, lines[0]!.startsWith("# ")]).toEqual([recipe, true]);
      const code = lines.filter((l) => !l.trimStart().startsWith("#")).join("\n");
      expect([recipe, code.match(/(?:^|[\s|;&(])jq\s/g)?.length]).toEqual([recipe, 1]);
      expect([recipe, code.includes("logs/descarga_errors.json")]).toEqual([recipe, true]);
      const r = await runBash(recipe, scratch.dir);
      expect([recipe, r.code, r.stderr]).toEqual([recipe, 0, ""]);
      expect([recipe, r.stdout.trim().length > 0]).toEqual([recipe, true]);
    }
  });
});
