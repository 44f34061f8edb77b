/**
 * A hard link is a second name for a file: `ln outside/victim modelos/v.mp4` puts a file from outside the roots
 * inside them, where no path check can tell. As root, the real `vigia run` with the shipped `permisos` rule and the
 * bot's real PermissionError line must not give `outside/victim` to the bot's user: file actions refuse a regular
 * file with more than one link, and say so in the journal.
 */
import { afterEach, expect, it } from "@jest/globals";
import { chmodSync, chownSync, linkSync, statSync, writeFileSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, startVigia } from "./vigia-harness.js";
import { IS_ROOT, NEEDS_ROOT, describeIf } from "../helpers/environment.js";

afterEach(cleanUpTest);

const describeAsRoot = describeIf(IS_ROOT, `${NEEDS_ROOT}: vigia only chowns as root`);
const NOBODY = 65534;

describeAsRoot("chown never reaches through a hard link (e2e, root)", () => {
  it("PermissionError on a hard link to a file outside the roots: refused, the file keeps its owner", async () => {
    const ws = createWorkspace();
    // The bot's user owns modelos/ (the default chown target); the victim is root's, outside the roots.
    chownSync(ws.at("modelos"), NOBODY, NOBODY);
    ws.write("outside/victim", "secreto");
    chmodSync(ws.at("outside/victim"), 0o600);
    linkSync(ws.at("outside/victim"), ws.at("modelos/v.mp4"));

    const vigia = await startVigia(ws);
    ws.append(
      BOT_LOG,
      formatPythonLine("ERROR", "Error al guardar el video") +
        ["Traceback (most recent call last):", '  File "/home/bot/app/main.py", line 212, in guardar_video', "PermissionError: [Errno 13] Permission denied: 'modelos/v.mp4'", ""].join("\n"),
    );
    const incident = await waitFor(() => readJournal(ws).find((i) => i.error_type === "permisos" && i.estado === "fallido"), {
      what: "the permisos incident to be refused",
      timeoutMs: 20_000,
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${vigia.stderr()}`,
    });
    await vigia.stop();

    expect(statSync(ws.at("outside/victim"))).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(ws.at("outside/victim")).mode & 0o777).toBe(0o600);
    const last = incident.transiciones.at(-1)!;
    expect(last.detalle).toMatch(/^ruta rechazada \(hard_link\): "modelos\/v\.mp4": es un enlace duro \(2 nombres\)/);
    expect(incident.intento).toBe(0); // refused at the fix: retrying cannot help
  }, 60_000);

  it("a plain file the bot cannot write is still given back (the guard is not a blanket refusal)", async () => {
    const ws = createWorkspace();
    chmodSync(ws.dir, 0o755); // path_writable judges the whole path: the bot's user must be able to enter it
    chownSync(ws.at("modelos"), NOBODY, NOBODY);
    writeFileSync(ws.at("modelos/w.mp4"), "x");
    const vigia = await startVigia(ws);
    ws.append(BOT_LOG, formatPythonLine("ERROR", "PermissionError: [Errno 13] Permission denied: 'modelos/w.mp4'"));
    await waitFor(() => readJournal(ws).find((i) => i.error_type === "permisos" && i.estado === "solucionado"), {
      what: "the permisos incident to be fixed",
      timeoutMs: 20_000,
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${vigia.stderr()}`,
    });
    await vigia.stop();
    expect(statSync(ws.at("modelos/w.mp4")).uid).toBe(NOBODY);
  }, 60_000);
});
