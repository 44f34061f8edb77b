/**
 * The journal is replaced by rename on every write, so its mode and owner are those of a new file unless the
 * writer carries them over: an operator's `chmod 444` (or `chown` to the bot's user) must survive vigia.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JournalWriter } from "../../src/incidents/journal-writer.js";
import { createIncident } from "../../src/incidents/create-incident.js";
import { makeMatch, makeRule } from "../helpers/make-rule.js";
import { IS_ROOT, NEEDS_ROOT, itIf } from "../helpers/environment.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-journal-mode-");

let dir: string;
beforeEach(() => {
  dir = newTempDir();
});

const incident = (n: number) =>
  createIncident(makeMatch(makeRule({ id: "ruta_inexistente" }), { path: `modelos/m${n}` }), { nowMs: Date.parse("2025-12-25T14:30:20Z") + n, id: `inc-${n}`, defaultMaxIntentos: 3 });

describe("journal file mode and owner", () => {
  it("keeps a chmod 444 journal at 0444 through async and sync rewrites", async () => {
    const path = join(dir, "descarga_errors.json");
    writeFileSync(path, "[]\n");
    chmodSync(path, 0o444);
    const writer = new JournalWriter(path);
    await writer.load();
    writer.upsert(incident(1));
    await writer.flush();
    expect(statSync(path).mode & 0o7777).toBe(0o444);
    writer.upsert(incident(2));
    writer.flushSync();
    expect(statSync(path).mode & 0o7777).toBe(0o444);
    expect((JSON.parse(readFileSync(path, "utf8")) as unknown[]).length).toBe(2);
  });

  itIf(IS_ROOT, NEEDS_ROOT)("keeps the owner of a journal given to the bot's user (when vigia runs as root)", async () => {
    const path = join(dir, "descarga_errors.json");
    writeFileSync(path, "[]\n");
    chownSync(path, 4321, 4322);
    chmodSync(path, 0o640);
    const writer = new JournalWriter(path);
    await writer.load();
    writer.upsert(incident(1));
    await writer.flush();
    const st = statSync(path);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }).toEqual({ uid: 4321, gid: 4322, mode: 0o640 });
  });

  it("creates a new journal as 0644", async () => {
    const path = join(dir, "nuevo.json");
    const writer = new JournalWriter(path);
    await writer.load();
    writer.upsert(incident(1));
    await writer.flush();
    expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());
  });
});
