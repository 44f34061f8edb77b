/**
 * The seed's corrupt-file story: "Elimina archivo y reintenta descarga". A real corrupt video under modelos/, the
 * line ffprobe prints for it appended to the bot's log, the real `vigia run` with the shipped `corrupto` rule:
 * the file is removed at once, the incident waits in `reintentando` for the bot's new download, and
 * - the bot's "Descarga exitosa: modelos/ana/x.mp4" closes it as solucionado;
 * - no such line by the last retry → fallido, "archivo eliminado; no llegó una nueva descarga";
 * - a file already gone is said so: "el archivo ya no existía; no llegó una nueva descarga".
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runJq, startVigia, type Workspace } from "./vigia-harness.js";

afterEach(cleanUpTest);

const VIDEO = "modelos/ana/20251225_143020_a3f2b1.mp4";
/** The seed's default retry schedule (1, 2, 4 s): the bot has 7 s to download the video again. */
const CONFIG = ["status: null", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", ""].join("\n");
/** A short schedule for the cases where nothing comes. */
const SHORT_CONFIG = CONFIG + "  backoff: [0.1, 0.2, 0.4]\n";

/** What ffprobe prints for a file that is not a video (the bot logs its stderr). */
function formatProbeFailure(path: string): string {
  return formatPythonLine("ERROR", `ffprobe falló: ${path}: Invalid data found when processing input`);
}

/** A truncated MP4: an `ftyp` box and garbage, no `moov`. */
function writeCorruptVideo(ws: Workspace, path: string): void {
  ws.write(path, Buffer.concat([Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"), Buffer.alloc(4096, 0x5a)]));
}

function describeState(ws: Workspace, stderr: () => string): () => string {
  return () => `${JSON.stringify(readJournal(ws), null, 1)}\n${stderr()}`;
}

describe("corrupt file: delete it, then wait for the re-download (e2e)", () => {
  it("removes the file, waits in reintentando, and the bot's new download closes it as solucionado", async () => {
    const ws = createWorkspace({ config: CONFIG });
    writeCorruptVideo(ws, VIDEO);
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, formatProbeFailure(VIDEO));

    const waiting = await waitFor(() => readJournal(ws).find((i) => i.error_type === "corrupto" && i.estado === "reintentando"), {
      what: "the corrupto incident to wait for the new download",
      timeoutMs: 20_000,
      describe: describeState(ws, vigia.stderr),
    });
    expect(existsSync(ws.at(VIDEO))).toBe(false);
    expect(waiting.transiciones.find((t) => t.accion === `rm ${VIDEO}`)).toMatchObject({ estado: "pendiente", intento: 0, detalle: "4.0 KB borrados" });

    // The bot downloads the video again and says so.
    ws.write(VIDEO, "a good video");
    ws.append(BOT_LOG, formatPythonLine("INFO", `Descarga exitosa: ${VIDEO}`, "2025-12-25 14:30:25,000"));
    const fixed = await waitFor(() => readJournal(ws).find((i) => i.id === waiting.id && i.estado === "solucionado"), {
      what: "the new download to close the incident",
      timeoutMs: 20_000,
      describe: describeState(ws, vigia.stderr),
    });
    await vigia.stop();
    expect(fixed.transiciones.at(-1)!.detalle).toMatch(/^resuelto por: .*Descarga exitosa: modelos\/ana\/20251225_143020_a3f2b1\.mp4/);
    // Removed once: the new download is still there.
    expect(ws.read(VIDEO)).toBe("a good video");
    expect(await runJq(["-r", `[.[0].transiciones[] | select(.accion == "rm ${VIDEO}")] | length`, JOURNAL], ws.dir)).toBe("1");
  }, 90_000);

  it("no new download by the last retry: fallido, 'archivo eliminado; no llegó una nueva descarga'", async () => {
    const ws = createWorkspace({ config: SHORT_CONFIG });
    writeCorruptVideo(ws, VIDEO);
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, formatProbeFailure(VIDEO));
    const failed = await waitFor(() => readJournal(ws).find((i) => i.error_type === "corrupto" && i.estado === "fallido"), {
      what: "the corrupto incident to fail",
      timeoutMs: 20_000,
      describe: describeState(ws, vigia.stderr),
    });
    await vigia.stop();
    expect(existsSync(ws.at(VIDEO))).toBe(false);
    expect(failed).toMatchObject({ accion: "archivo eliminado; no llegó una nueva descarga", intento: 3, max_intentos: 3 });
    expect(failed.transiciones.map((t) => t.estado)).toEqual(["detectado", "pendiente", "reintentando", "reintentando", "reintentando", "fallido"]);
  }, 90_000);

  it("a file already gone is said so", async () => {
    const ws = createWorkspace({ config: SHORT_CONFIG });
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, formatProbeFailure(VIDEO));
    const failed = await waitFor(() => readJournal(ws).find((i) => i.error_type === "corrupto" && i.estado === "fallido"), {
      what: "the corrupto incident to fail",
      timeoutMs: 20_000,
      describe: describeState(ws, vigia.stderr),
    });
    await vigia.stop();
    expect(failed.accion).toBe("el archivo ya no existía; no llegó una nueva descarga");
    expect(failed.transiciones.find((t) => t.intento === 0 && t.estado === "pendiente")?.detalle).toBe("ya no existía");
  }, 90_000);
});
