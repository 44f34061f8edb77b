// What `vigia supervise` writes to the child's log file: lines without a timestamp get one (Python logging's
// format, so the file reads like the bot's own log), lines with one are kept as written, and a traceback's
// continuation lines stay unstamped so the record keeps its lines together for anyone tailing the file.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir } from "../helpers/temp-dir.js";
import { PY_STAMP, killLeftovers, makeWorkdir, readJournal, readText, runVigia, type CliResult } from "./cli-harness.js";

/** A child that writes each kind of line once: plain prints, logging records, tracebacks, stderr. */
const EMITTER = String.raw`
import logging, os, sys
logging.basicConfig(stream=sys.stdout, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
log = logging.getLogger("bot_central")
os.makedirs("modelos", exist_ok=True)
print("linea sin hora", flush=True)
log.info("linea con hora")
try:
    open("modelos/ana/video.mp4", "wb")
except FileNotFoundError:
    log.exception("Error al guardar el video")
print("salida de print tras el traceback", flush=True)
print("aviso en stderr", file=sys.stderr, flush=True)
log.info("siguiente registro")
try:
    try:
        raise KeyError("clave")
    except KeyError as e:
        raise ValueError("valor malo") from e
except ValueError:
    log.exception("fallo encadenado")
class TimedOut(Exception):
    pass
TimedOut.__module__ = "telegram.error"
try:
    raise TimedOut("Timed out")
except TimedOut:
    log.exception("Error descargando modelos/lucia/video.mp4")
log.info("fin")
`;

/** `2025-12-25 14:30:20,123` in the process's local time → epoch ms. */
function parsePythonStamp(stamp: string): number {
  const m = /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+),(\d+)$/.exec(stamp)!;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

describe("the supervised child's log file", () => {
  let dir: string;
  let result: CliResult;
  let log: string;

  beforeAll(async () => {
    dir = makeWorkdir();
    writeFileSync(join(dir, "emitter.py"), EMITTER);
    // A zone far from UTC: vigia's stamps and Python's own must agree on local time. The test reads them in UTC.
    result = await runVigia(["supervise", "--", "python3", "emitter.py"], dir, { TZ: "America/Mexico_City" });
    log = readText(join(dir, "logs", "bot_central.log"));
  }, 30_000);
  afterAll(async () => {
    await killLeftovers();
    removeDir(dir);
  });

  it("stamps a plain stdout line as an INFO record of the source, in the same local time as the bot's records", () => {
    expect(result.code).toBe(0);
    const ours = new RegExp(`^(${PY_STAMP}) - bot - INFO - linea sin hora$`, "m").exec(log);
    const theirs = new RegExp(`^(${PY_STAMP}) - bot_central - INFO - linea con hora$`, "m").exec(log);
    expect(ours).not.toBeNull();
    expect(theirs).not.toBeNull();
    // Both stamps are Mexico City time written by different programs: a zone mistake would put them hours apart,
    // while a loaded machine may delay vigia's read of the line by seconds.
    expect(Math.abs(parsePythonStamp(ours![1]!) - parsePythonStamp(theirs![1]!))).toBeLessThan(60_000);
  });

  it("stamps a plain stderr line as an ERROR record", () => {
    expect(log).toMatch(new RegExp(`^${PY_STAMP} - bot - ERROR - aviso en stderr$`, "m"));
  });

  it("keeps lines that carry a timestamp as written (no second stamp)", () => {
    expect(log).not.toMatch(new RegExp(`^${PY_STAMP} - bot - \\w+ - ${PY_STAMP}`, "m"));
    expect(log).toMatch(new RegExp(`^${PY_STAMP} - bot_central - INFO - siguiente registro$`, "m"));
  });

  it("keeps a traceback's lines unstamped, right under the record that logged it", () => {
    expect(log).toMatch(
      new RegExp(
        `^${PY_STAMP} - bot_central - ERROR - Error al guardar el video\\n` +
          `Traceback \\(most recent call last\\):\\n` +
          `( {2}.*\\n)+` +
          `FileNotFoundError: \\[Errno 2\\] No such file or directory: 'modelos/ana/video\\.mp4'\\n`,
        "m",
      ),
    );
    expect(log).toMatch(/^KeyError: 'clave'$/m);
    expect(log).toMatch(/^The above exception was the direct cause of the following exception:$/m);
    expect(log).toMatch(/^ValueError: valor malo$/m);
  });

  // A chained traceback's blank lines stay blank: a timestamp on them ("… - bot - INFO - ") would split the
  // record in the log file.
  it("keeps the blank lines of a chained traceback blank", () => {
    expect(log).toContain("KeyError: 'clave'\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n");
  });

  // The exception line is recognised whatever the class is named, not only …Error/…Exception:
  // `telegram.error.TimedOut: Timed out` (or httpx.ConnectTimeout) stays unstamped, part of its traceback.
  it("keeps a traceback's last line unstamped whatever the exception's name", () => {
    expect(log).toMatch(/^telegram\.error\.TimedOut: Timed out$/m);
  });

  // The pipeline reads the child's lines as stamped in the file: a plain line printed after a traceback is an event
  // of its own, not part of the traceback's (nor of its incident's error_message), as `vigia run` reads the file.
  it("does not fold the child's later plain lines into an incident's error_message", () => {
    const incident = readJournal(join(dir, "logs", "descarga_errors.json")).find((e) => e.error_type === "ruta_inexistente");
    expect(incident?.error_message).toContain("FileNotFoundError");
    expect(incident?.error_message).not.toContain("salida de print tras el traceback");
  });
});
