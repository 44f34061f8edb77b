import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { JournalWriter } from "../../src/incidents/journal-writer.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-journal-tmp-");

describe("JournalWriter.load", () => {
  it("removes temp copies left by a writer killed mid-write, keeps those of a live process and the journal", async () => {
    const dir = newTempDir();
    const journal = join(dir, "descarga_errors.json");
    writeFileSync(journal, "[]\n");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    const live = String(process.ppid);
    writeFileSync(join(dir, `.descarga_errors.json.${dead}.3.tmp`), "[");
    writeFileSync(join(dir, `.descarga_errors.json.${live}.1.tmp`), "[");
    // The archive intent's own temp copy, from a kill while the intent was written.
    writeFileSync(join(dir, `..descarga_errors.json.archiving.${dead}.2.tmp`), "{");
    writeFileSync(join(dir, "other.tmp"), "x");
    await new JournalWriter(journal).load();
    expect(readdirSync(dir).sort()).toEqual([`.descarga_errors.json.${live}.1.tmp`, "descarga_errors.json", "other.tmp"]);
    expect(existsSync(journal)).toBe(true);
  });
});
