// Torture: `vigia run` follows a log that receives a 10 MB line without newline, megabytes of binary junk
// and invalid UTF-8. It must not crash, must keep detecting incidents between the junk, must keep its journal valid
// JSON, and its memory must stay bounded (lines are capped at max_line_bytes, 64 KiB by default).
import { describe, it, expect, afterAll } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { appendFileSync, statSync, writeFileSync } from "node:fs";
import { makeTempDir } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";
import { VigiaProcess, fetchJson, formatLogTimestamp, killAllChildren, pickSize, readJournalIfAny, readRss, reportFigure, writeVigiaSetup } from "./helpers/torture-kit.js";

const LONG_LINE_BYTES = pickSize(10, 100) * 1024 * 1024;
const JUNK_BYTES = pickSize(8, 64) * 1024 * 1024;
/** RSS growth allowed over the idle daemon: a line is capped, so junk must not be held whole. */
const MAX_GROWTH_BYTES = 100 * 1024 * 1024;

const temp = makeTempDir();
afterAll(async () => {
  await killAllChildren();
  temp.cleanup();
});

/** A record the default `ruta_inexistente` rule claims, for folder `modelos/<id>`. */
function marker(id: string): string {
  return `${formatLogTimestamp()} - bot_central - ERROR - [Errno 2] No such file or directory: 'modelos/${id}/v.mp4'\n`;
}

describe("torture: hostile bytes in the followed log", () => {
  it("survives a 10 MB line, binary junk and invalid UTF-8 with bounded memory", async () => {
    const setup = writeVigiaSetup(temp.dir);
    writeFileSync(setup.logPath, "");
    const vigia = VigiaProcess.start(setup, ["--dry-run"]);
    const { statusPort } = await vigia.waitForBanner();
    const baseline = readRss(vigia.pid).currentBytes;
    const journalHas = (id: string): boolean => readJournalIfAny(setup.journalPath).some((e) => e.modelo === id);
    const expectAlive = async (id: string, what: string): Promise<number> => {
      const t = Date.now();
      appendFileSync(setup.logPath, marker(id));
      await waitFor(
        () => journalHas(id) || !vigia.isRunning,
        { what: `${id} in the journal after ${what}`, timeoutMs: 20_000, everyMs: 50 },
      );
      expect(vigia.isRunning).toBe(true);
      expect(journalHas(id)).toBe(true);
      return Date.now() - t;
    };
    const figures: Record<string, unknown> = {};

    figures.first_marker_ms = await expectAlive("h1", "start");

    // A huge line without newline, written in 1 MB pieces the way a runaway print would arrive; then its end.
    const piece = Buffer.alloc(1024 * 1024, "A");
    for (let written = 0; written < LONG_LINE_BYTES; written += piece.length) appendFileSync(setup.logPath, piece);
    await sleepMs(1500);
    appendFileSync(setup.logPath, " No such file or directory: 'modelos/huge/v.mp4'\n");
    figures.after_long_line_ms = await expectAlive("h2", `a ${LONG_LINE_BYTES / 1048576} MB line`);

    // Binary junk: random bytes (NULs, lone CRs, every invalid UTF-8 lead byte), in one big write.
    appendFileSync(setup.logPath, randomBytes(JUNK_BYTES));
    appendFileSync(setup.logPath, "\n");
    figures.after_junk_ms = await expectAlive("h3", `${JUNK_BYTES / 1048576} MB of binary junk`);

    // Invalid UTF-8 inside otherwise normal records, including the captured path itself.
    const invalid = [
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.from([0xc0, 0xaf]), // overlong "/"
      Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded in UTF-8
      Buffer.from([0xe2, 0x82]), // a cut 3-byte sequence
      Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
    ];
    for (const bad of invalid) {
      appendFileSync(setup.logPath, Buffer.concat([Buffer.from(`${formatLogTimestamp()} - bot - ERROR - [Errno 2] No such file or directory: 'modelos/bad`), bad, Buffer.from("/v.mp4'\n")]));
      appendFileSync(setup.logPath, Buffer.concat([Buffer.from("  continuation "), bad, Buffer.from("\n")]));
    }
    figures.after_invalid_utf8_ms = await expectAlive("h4", "invalid UTF-8");
    const journal = readJournalIfAny(setup.journalPath); // parses: valid JSON whatever the bytes were
    const replacement = journal.filter((e) => String(e.error_message).includes("\uFFFD")).length;

    const rss = readRss(vigia.pid);
    const health = statusPort ? await fetchJson(statusPort, "/health") : null;
    const source = (health?.sources as Array<Record<string, unknown>> | undefined)?.[0];
    vigia.kill("SIGTERM");
    const exit = await vigia.exited;
    reportFigure("hostile input", {
      log_mb: Math.round(statSync(setup.logPath).size / 1048576),
      long_line_mb: LONG_LINE_BYTES / 1048576,
      junk_mb: JUNK_BYTES / 1048576,
      ...figures,
      incidents: journal.length,
      with_replacement_chars: replacement,
      rss_idle_mb: Math.round(baseline / 1048576),
      rss_peak_mb: Math.round(rss.peakBytes / 1048576),
      rss_end_mb: Math.round(rss.currentBytes / 1048576),
      lag_bytes: source?.lag_bytes ?? "n/a",
      exit_code: exit.code,
    });
    expect(exit.code).toBe(0);
    expect(replacement).toBeGreaterThan(0); // invalid bytes became U+FFFD, the records were still matched
    expect(rss.peakBytes - baseline).toBeLessThan(MAX_GROWTH_BYTES);
  });
});
