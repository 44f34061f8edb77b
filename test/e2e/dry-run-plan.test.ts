/**
 * A dry run's plan reads like the run it stands for: `vigia run --dry-run` on the bot's corrupt-video line plans
 * the shipped `corrupto` rule's cleanup once, at the fix, as a real run removes the file once; each retry then says
 * only `reintento k/3`, and with no `Descarga exitosa` for the video the incident ends `fallido` naming the plan and
 * what did not come. Read back with jq; the file is still there.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runJq, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

const VIDEO = "modelos/ana/20251225_143020_a3f2b1.mp4";

describe("dry-run plan (e2e)", () => {
  it("says the cleanup's rm once, at the fix, not again at every retry", async () => {
    const ws = createWorkspace();
    ws.write(VIDEO, "not a video");
    const vigia = await startVigia(ws, ["--dry-run"]);
    ws.append(BOT_LOG, formatPythonLine("ERROR", `Video corrupto ${VIDEO}: moov atom not found`));
    await waitFor(() => readJournal(ws).some((i) => i.error_type === "corrupto" && i.estado === "fallido"), {
      what: "the dry-run corrupto incident to end",
      timeoutMs: 30_000,
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${vigia.stderr()}`,
    });
    expect((await vigia.stop()).code).toBe(0);
    const steps = await runJq(["-c", '[.[] | select(.error_type == "corrupto") | .transiciones[] | [.estado, .intento, .accion]]', JOURNAL], ws.dir);
    expect(JSON.parse(steps)).toEqual([
      ["detectado", 0, null],
      ["pendiente", 0, `[dry-run] rm ${VIDEO}`],
      ["reintentando", 1, "reintento 1/3"],
      ["reintentando", 2, "reintento 2/3"],
      ["reintentando", 3, "reintento 3/3"],
      ["fallido", 3, `[dry-run] rm ${VIDEO}; no llegó una nueva descarga`],
    ]);
    expect(await runJq(["-r", '.[] | select(.error_type == "corrupto") | "\\(.dry_run) \\(.accion)"', JOURNAL], ws.dir)).toBe(`true [dry-run] rm ${VIDEO}; no llegó una nueva descarga`);
    expect(existsSync(ws.at(VIDEO))).toBe(true);
  }, 120_000);
});
