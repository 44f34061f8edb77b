/**
 * What watching a log folder costs while vigia writes into it: the journal (temp file, rename), monitor.log and the
 * followed log itself all live in `logs/`, and each of their writes is an event of that folder. Waking the tailer
 * must not list the folder again: a listing is an lstat per entry, and a busy journal writes several times a second.
 * The listings are counted in the real `vigia run` by a preloaded module (fixtures/count-folder-reads.mjs).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, REPO, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

const PRELOAD = join(REPO, "test", "e2e", "fixtures", "count-folder-reads.mjs");

const missingFolderLine = (path: string) =>
  formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`);

describe("the watched log folder (e2e)", () => {
  it("is not listed again for the journal's writes, monitor.log's lines or the log's appends beside it", async () => {
    const ws = createWorkspace();
    ws.write(BOT_LOG, "");
    const readsFile = ws.at("folder-reads.txt");
    const countReads = () => (existsSync(readsFile) ? readFileSync(readsFile).length : 0);
    const vigia = await startVigia(ws, [], {
      env: { NODE_OPTIONS: `--import ${PRELOAD}`, VIGIA_TEST_COUNT_READS_OF: ws.at("logs"), VIGIA_TEST_READS_FILE: readsFile },
    });
    const openIncident = async (modelo: string) => {
      ws.append(BOT_LOG, missingFolderLine(`modelos/${modelo}/20251225_120000_abcdef.mp4`));
      await waitFor(() => readJournal(ws).some((i) => i.modelo === modelo), { what: `${modelo}'s incident in the journal`, describe: vigia.stderr });
    };
    // The first incident proves the watch live; what start-up lists (stale temp copies, archives) is before it.
    await openIncident("primero");
    const readsBefore = countReads();
    // Each incident: an append to the log, journal writes (a temp file renamed over the journal), monitor.log lines.
    for (let n = 0; n < 10; n++) await openIncident(`modelo_${n}`);
    const readsAfter = countReads();
    expect((await vigia.stop()).code).toBe(0);
    expect(readJournal(ws)).toHaveLength(11);
    expect({ listingsDuringTheWrites: readsAfter - readsBefore }).toEqual({ listingsDuringTheWrites: 0 });
  });
});
