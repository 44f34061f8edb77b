import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTextIfExists } from "../../src/util/read-text-if-exists.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const { dir, cleanup } = makeTempDir();
afterAll(() => cleanup());

describe("readTextIfExists", () => {
  it("reads a file, answers null for a missing one and throws any other error", async () => {
    writeFileSync(join(dir, "a.txt"), "hola ñ\n");
    mkdirSync(join(dir, "folder"));
    expect(await readTextIfExists(join(dir, "a.txt"))).toBe("hola ñ\n");
    expect(await readTextIfExists(join(dir, "missing.txt"))).toBeNull();
    await expect(readTextIfExists(join(dir, "folder"))).rejects.toMatchObject({ code: "EISDIR" });
  });
});
