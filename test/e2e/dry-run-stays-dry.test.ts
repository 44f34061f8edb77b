/**
 * Dry-run stays dry across sessions: an incident left open by a `vigia run --dry-run` session (stopped during
 * a backoff) is never executed by the next normal `vigia run`. It is closed as discarded, its folder is not
 * created, and a new occurrence of the same error in the real session is remediated for real.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, JOURNAL, cleanUpTest, createWorkspace, formatFileNotFoundTraceback, readJournal, runJq, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

/** A long backoff: the dry-run session is stopped while its incident waits for retry 1. */
const CONFIG = ["status: null", "checks: { disk: null }", "remediation:", "  allowed_roots: [modelos]", "  backoff: [60]", ""].join("\n");

describe("dry-run stays dry (e2e)", () => {
  it("a real run never executes an incident a --dry-run session left open", async () => {
    const ws = createWorkspace({ config: CONFIG });
    const dry = await startVigia(ws, ["--dry-run"]);
    ws.append(BOT_LOG, formatFileNotFoundTraceback("modelos/m38/20251225_143020_a3f2b1.mp4"));
    const planned = await waitFor(() => readJournal(ws).find((i) => i.transiciones.some((t) => t.accion === "[dry-run] mkdir -p modelos/m38")), {
      what: "the dry-run plan of the mkdir",
      timeoutMs: 20_000,
      describe: dry.stderr,
    });
    expect((await dry.stop()).code).toBe(0);
    const left = readJournal(ws).find((i) => i.id === planned.id)!;
    expect(["pendiente", "reintentando"]).toContain(left.estado);
    expect(left.dry_run).toBe(true);
    expect(existsSync(ws.at("modelos/m38"))).toBe(false);

    const real = await startVigia(ws);
    const closed = await waitFor(() => readJournal(ws).find((i) => i.id === planned.id && i.estado === "fallido"), {
      what: "the dry-run incident to be closed by the real run",
      timeoutMs: 20_000,
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${real.stderr()}`,
    });
    expect(closed.accion).toBe("descartado: abierto en dry-run");
    expect(closed.transiciones.some((t) => t.accion !== null && !t.accion.startsWith("[dry-run]") && t.accion.startsWith("mkdir"))).toBe(false);
    expect(existsSync(ws.at("modelos/m38"))).toBe(false);

    // The same error, now seen by the real session: a new incident, remediated for real.
    ws.append(BOT_LOG, formatFileNotFoundTraceback("modelos/m38/20251225_150000_b4c5d6.mp4", "2025-12-25 15:00:00,000"));
    const fixed = await waitFor(() => readJournal(ws).find((i) => i.id !== planned.id && i.estado === "solucionado"), {
      what: "the real incident to be fixed",
      timeoutMs: 20_000,
      describe: () => `${JSON.stringify(readJournal(ws), null, 1)}\n${real.stderr()}`,
    });
    expect((await real.stop()).code).toBe(0);
    expect(fixed.dry_run).toBeUndefined();
    expect(existsSync(ws.at("modelos/m38"))).toBe(true);
    expect(await runJq(["-r", '[.[] | select(.dry_run == true) | .estado] | join(",")', JOURNAL], ws.dir)).toBe("fallido");
  }, 120_000);
});
