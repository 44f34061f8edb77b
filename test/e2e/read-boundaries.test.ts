/**
 * A backlog is read a megabyte at a time, and a traceback often straddles two reads. However long reading pauses
 * there (the matcher full, the machine busy) and however short `multiline.flush_ms` is, the traceback is one event:
 * the bytes still on disk, not the clock, say whether it is complete. A split traceback would count its chained
 * exception's message and its final one as two matches (the catch-up once counted one timeout too many so).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { appendFileSync } from "node:fs";
import { BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatFileNotFoundTraceback, formatPythonLine, readJournal, runVigia, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

/** The tailer's read size (TAILER_DEFAULTS.readChunkBytes): a catch-up's reads end at its multiples. */
const READ_BYTES = 1024 * 1024;

/** python-telegram-bot's timeout: httpx's ReadTimeout, chained into telegram's TimedOut; `Timed out` in both. */
function formatTimeoutTraceback(n: number): string {
  const frames = (module: string) =>
    Array.from({ length: 4 }, (_, i) => `  File "/usr/lib/python3/site-packages/${module}.py", line ${100 + i}, in step_${i}\n    return await self.call_${i}(request)\n`).join("");
  return (
    formatPythonLine("ERROR", `No error handlers are registered, logging exception (update ${n}).`, "2025-12-25 14:30:20,131", "telegram.ext.Application") +
    "Traceback (most recent call last):\n" +
    frames("httpx/_transports/default") +
    "httpx.ReadTimeout: Timed out\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n" +
    frames("telegram/request/_httpxrequest") +
    "telegram.error.TimedOut: Timed out\n"
  );
}

describe("a traceback across a read boundary of a catch-up", () => {
  it("is one event however short multiline.flush_ms is: each traceback counted once, its incident holding it whole", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({
      copyRules: false,
      config: [
        "sources:",
        // flush_ms 0: every pause between two reads is long enough to cut a pending event if the clock decided.
        "  - { name: bot, path: logs/bot_central.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}', flush_ms: 0 } }",
        `status: { listen: '127.0.0.1:${port}' }`,
        "checks: { disk: null }",
        "remediation: { allowed_roots: [modelos] }",
        "",
      ].join("\n"),
    });
    ws.write("rules/tiempo.yaml", ["rules:", "  - id: tiempo", "    severity: info", "    match: 'Timed out'", "  - id: fin", "    severity: info", "    match: 'FIN DEL REGISTRO'", ""].join("\n"));
    expect((await runVigia(ws.dir, ["check"])).code).toBe(0);

    // Eight megabytes of records with a timeout traceback across each read boundary, and more elsewhere.
    const parts: string[] = [];
    let length = 0;
    const add = (text: string) => {
      parts.push(text);
      length += Buffer.byteLength(text);
    };
    const straddling: Array<{ start: number; end: number; boundary: number }> = [];
    let n = 0;
    for (let k = 1; k <= 8; k++) {
      const boundary = k * READ_BYTES;
      while (length < boundary - 400) {
        // Short records: a megabyte holds more events than the matcher takes unanswered, so reading waits for it.
        add(`2025-12-25 14:30:20,131 ok ${parts.length}\n`);
        if (parts.length % 50_000 === 0) add(formatTimeoutTraceback(++n));
      }
      const start = length;
      add(formatTimeoutTraceback(++n));
      straddling.push({ start, end: length, boundary });
    }
    add(formatPythonLine("INFO", "FIN DEL REGISTRO"));
    ws.write(BOT_LOG, parts.join(""));
    for (const t of straddling) expect(t.start < t.boundary && t.boundary < t.end).toBe(true);
    expect(n).toBeGreaterThanOrEqual(12);

    const vigia = await startVigia(ws, ["--from-start"]);
    const readCount = async (rule: string): Promise<number | undefined> => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = new RegExp(`^vigia_rule_matches_total\\{rule="${rule}"\\} (\\d+)$`, "m").exec(text);
      return m ? Number(m[1]) : undefined;
    };
    // Batches are matched and counted in order: once the last line's match is counted, every traceback's is.
    await waitFor(async () => ((await readCount("fin")) === 1 ? true : undefined), { what: "the last line's match on /metrics", describe: vigia.stderr });
    expect(await readCount("tiempo")).toBe(n);
    expect((await vigia.stop()).code).toBe(0);

    // One incident for the key, every traceback an occurrence of it, its last one kept whole.
    const tiempo = readJournal(ws).filter((i) => i.error_type === "tiempo");
    expect(tiempo.reduce((sum, i) => sum + i.ocurrencias, 0)).toBe(n);
    for (const incident of tiempo) expect(incident.error_message).toMatch(/^\S+ \S+ - telegram\.ext\.Application - ERROR - [^\n]*\nTraceback[\s\S]*httpx\.ReadTimeout: Timed out[\s\S]*telegram\.error\.TimedOut: Timed out$/);
  }, 120_000);
});

describe("a 50 MB line", () => {
  it("read in a catch-up and written live in pieces, is cut to max_line_bytes and counted; the records around it are read, what follows the cut is not matched", async () => {
    const ws = createWorkspace();
    const longLine = (name: string) => formatPythonLine("INFO", `${"x".repeat(50 * 1024 * 1024)} No such file or directory: 'modelos/${name}/v.mp4'`);
    const dropped = Buffer.byteLength(longLine("oculto")) - 1 - 64 * 1024;
    ws.write(BOT_LOG, formatFileNotFoundTraceback("modelos/antes/v.mp4") + longLine("oculto") + formatFileNotFoundTraceback("modelos/despues/v.mp4"));
    const vigia = await startVigia(ws, ["--from-start"]);
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "despues"), { what: "the record after the long line in the journal", describe: vigia.stderr });

    // Live: the writer's one line arrives in five writes, read as they come; the record after it is still read.
    const piece = longLine("oculto2");
    for (let at = 0; at < piece.length; at += piece.length / 5) appendFileSync(ws.at(BOT_LOG), piece.slice(at, at + piece.length / 5));
    ws.append(BOT_LOG, formatFileNotFoundTraceback("modelos/vivo/v.mp4"));
    await waitFor(() => readJournal(ws).some((i) => i.modelo === "vivo"), { what: "the record after the live long line in the journal", describe: vigia.stderr });
    expect((await vigia.stop()).code).toBe(0);

    expect(readJournal(ws).map((i) => i.modelo).sort()).toEqual(["antes", "despues", "vivo"]);
    const cuts = [...vigia.stderr().matchAll(/line cut to max_line_bytes: bot \S+: line at offset (\d+) of \S+ cut: (\d+) bytes dropped/g)];
    expect(cuts.map((m) => Number(m[2]))).toEqual([dropped, dropped + 1]);
  }, 120_000);
});
