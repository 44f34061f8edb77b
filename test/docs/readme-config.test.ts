/**
 * The README's minimal config is a config vigia accepts: `vigia check` on it, in a folder of its own, says ok.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir } from "../helpers/temp-dir.js";
import { makeWorkdir, REPO, runVigia } from "../cli/cli-harness.js";

const SECTION = "## A minimal config";

/** The first ```yaml block of the README's minimal-config section. */
function readMinimalConfig(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no '${SECTION}' section`);
  const block = /^```yaml\n([\s\S]*?)^```$/m.exec(readme.slice(start));
  if (!block) throw new Error(`README.md's '${SECTION}' has no yaml block`);
  return block[1]!;
}

const dir = makeWorkdir();
afterAll(() => removeDir(dir));

describe("the README's minimal config", () => {
  it("passes `vigia check`", async () => {
    writeFileSync(join(dir, "vigia.config.yaml"), readMinimalConfig());
    const { code, stdout, stderr } = await runVigia(["check"], dir);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^ok: config \(.*vigia\.config\.yaml\) and \d+ rule\(s\) valid/);
    expect(code).toBe(0);
  });
});
