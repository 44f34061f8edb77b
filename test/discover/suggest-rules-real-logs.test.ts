/**
 * `vigia suggest-rules` on real error records the shipped rules do not cover (fixtures/discover/unclaimed-errors.log:
 * python-telegram-bot bug reports, cited there). For each entry a stub is produced; saved into rules/, every stub
 * passes `vigia check --samples` out of the box — including the getUpdates conflict that the shipped samples
 * annotate `none` — and claims its own entry and none of the others.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BOT_LOG, cleanUpAll, createWorkspace, REPO, runVigia, type Workspace } from "../e2e/vigia-harness.js";

// Only against a hang: on a fresh clone every regex is judged anew, and on a loaded machine a ReDoS check can outlast
// the default 30 s (an undecided check gives no stub), so the checks get 120 s each here.
jest.setTimeout(900_000);

/** The fixture's entries: runs of non-comment, non-blank lines between comments or blank lines, as events. */
function readFixtureEntries(): string[] {
  const text = readFileSync(join(REPO, "fixtures/discover/unclaimed-errors.log"), "utf8");
  const entries: string[][] = [[]];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") {
      if (entries.at(-1)!.length > 0) entries.push([]);
    } else if (/^\d{4}-\d{2}-\d{2} /.test(line) && entries.at(-1)!.length > 0) {
      entries.push([line]);
    } else {
      entries.at(-1)!.push(line);
    }
  }
  return entries.filter((e) => e.length > 0).map((e) => e.join("\n"));
}

interface Stub {
  id: string;
  rule: { id: string; match: string; severity: string } & Record<string, unknown>;
  plantilla: string;
  sample_file: string;
  reannotated: Array<{ file: string; line: number }>;
}

const entries = readFixtureEntries();
let ws: Workspace;
let stubs: Stub[];

beforeAll(async () => {
  ws = createWorkspace({ config: null, scope: "file" });
  ws.write(BOT_LOG, `${entries.join("\n")}\n`);
  const json = await runVigia(ws.dir, ["suggest-rules", BOT_LOG, "--json", "--redos-timeout", "120"], { timeoutMs: 840_000 });
  expect(json.code).toBe(0);
  stubs = (JSON.parse(json.stdout) as { stubs: Stub[] }).stubs;
}, 900_000);

afterAll(async () => {
  await cleanUpAll();
});

describe("suggest-rules on real logs no rule covers", () => {
  it("the fixture really is unclaimed by the shipped rules", async () => {
    expect(entries).toHaveLength(4);
    const r = await runVigia(ws.dir, ["test-rules", BOT_LOG, "--json", "--rules", join(REPO, "rules")], { timeoutMs: 120_000 });
    expect(JSON.parse(r.stdout)).toMatchObject({ events: 4, matches: [] });
  });

  it("gives one anchored stub per entry, with no actions, that claims its own entry and none of the others", () => {
    expect(stubs).toHaveLength(entries.length);
    for (const [i, entry] of entries.entries()) {
      const own = stubs.filter((s) => new RegExp(s.rule.match).test(entry));
      expect({ entry, claimedBy: own.map((s) => s.id) }).toEqual({ entry, claimedBy: [stubs[i]!.id] });
    }
    for (const s of stubs) {
      expect(s.rule.match.startsWith("^")).toBe(true);
      expect(s.rule.match.endsWith("$")).toBe(true);
      expect(Object.keys(s.rule).sort()).toEqual(["description", "id", "match", "severity"]);
    }
    expect(stubs.map((s) => s.id)).toEqual([
      "error_while_getting_updates_conflict",
      "no_error_handlers_are_registered",
      "telegram_error_retryafter_flood_control",
      "telegram_error_badrequest_cant_parse",
    ]);
    // The apostrophe of "Can't" quotes nothing; the two quoted characters are masked.
    expect(stubs[3]!.plantilla).toContain("telegram.error.BadRequest: Can't parse entities: character <STR> is reserved and must be escaped with the preceding <STR>");
  });

  it("saved into rules/, the stubs pass `vigia check --samples` and each claims exactly its entry in test-rules", async () => {
    // The YAML a user pastes: a second run prints the same stubs (their samples are already written).
    const yaml = await runVigia(ws.dir, ["suggest-rules", BOT_LOG, "--redos-timeout", "120"], { timeoutMs: 840_000 });
    expect(yaml.code).toBe(0);
    for (const s of stubs) expect(yaml.stdout).toContain(`- id: ${s.id}`);
    ws.write("rules/sugeridas.yaml", yaml.stdout);

    // The shipped samples call the getUpdates conflict `none` (none of the six types); the stub now owns it.
    expect(stubs[0]!.reannotated).toEqual([{ file: "rules/samples/servidor_caido.log", line: expect.any(Number) }]);
    expect(ws.read("rules/samples/servidor_caido.log")).toContain('# expect: {"rule":"error_while_getting_updates_conflict","fields":{}}');

    const check = await runVigia(ws.dir, ["check", "--samples"], { timeoutMs: 120_000 });
    expect(check.stdout + check.stderr).toMatch(/every rule passes its samples/);
    expect(check.code).toBe(0);

    const tested = await runVigia(ws.dir, ["test-rules", BOT_LOG, "--json"], { timeoutMs: 120_000 });
    const result = JSON.parse(tested.stdout) as { counts: Record<string, number>; matches: Array<{ rule: string }> };
    expect(result.matches.map((m) => m.rule)).toEqual(stubs.map((s) => s.id));
    for (const s of stubs) expect(result.counts[s.id]).toBe(1);

    // Nothing left to suggest.
    const again = await runVigia(ws.dir, ["suggest-rules", BOT_LOG, "--json", "--redos-timeout", "120"], { timeoutMs: 840_000 });
    expect(JSON.parse(again.stdout)).toEqual({ stubs: [], skipped: [] });
  });
});
