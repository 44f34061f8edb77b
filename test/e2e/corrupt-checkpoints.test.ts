/**
 * A corrupt checkpoint file at start: vigia moves it aside (kept byte for byte), says so, and resumes each file
 * from the positions the journal recorded (`posicion`), so the lines the bot wrote while vigia was down are read.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

const STATE_DIR = "logs/.vigia";

/** A ruta_inexistente error for its own model folder (distinct folders, distinct incidents). */
const missingFolderLine = (model: string) =>
  formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: 'modelos/${model}/20251225_120000_abcdef.mp4'`);

describe("corrupt checkpoint file (e2e)", () => {
  it("resumes from the journal's positions: the 5 errors written while vigia was down give 5 incidents; the corrupt file is kept aside", async () => {
    const ws = createWorkspace();
    const first = await startVigia(ws);
    ws.append(BOT_LOG, formatPythonLine("INFO", "bot iniciado") + missingFolderLine("antes"));
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "antes"), { what: "the first run's incident", describe: first.stderr });
    ws.append(BOT_LOG, formatPythonLine("INFO", "Descarga exitosa: modelos/otra/v.mp4"));
    expect((await first.stop()).code).toBe(0);

    const corrupt = Buffer.from('{"version": 1, "files": {"/x": {"updatedAtMs": 1, "fi');
    ws.write(`${STATE_DIR}/checkpoints.json`, corrupt);
    const whileDown = ["caida1", "caida2", "caida3", "caida4", "caida5"];
    ws.append(BOT_LOG, whileDown.map(missingFolderLine).join(""));

    const second = await startVigia(ws);
    await waitFor(() => whileDown.every((m) => readJournal(ws).some((i) => i.modelo === m)), {
      what: "an incident for each of the 5 errors written while vigia was down",
      describe: () => `${readJournal(ws).map((i) => i.modelo).join(", ")}\n${second.stderr()}`,
    });
    const stopped = await second.stop();
    expect(stopped.code).toBe(0);

    // Each line read once: one incident per folder, one occurrence each, the first run's not repeated.
    const journal = readJournal(ws);
    expect(journal.map((i) => i.modelo).sort()).toEqual(["antes", ...whileDown].sort());
    expect(journal.every((i) => i.ocurrencias === 1)).toBe(true);

    const aside = readdirSync(ws.at(STATE_DIR)).filter((f) => f.startsWith("checkpoints.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(ws.at(STATE_DIR, aside[0]!)).equals(corrupt)).toBe(true);
    expect(stopped.stderr).toMatch(/checkpoints: corrupt: .*moved to .*checkpoints\.json\.corrupt-/);
    expect(stopped.stderr).toMatch(/checkpoints: resuming from the journal's positions: .*bot_central\.log at offset \d+/);
  });
});
