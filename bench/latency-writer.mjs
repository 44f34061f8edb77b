// The bot, for the latency run: appends records at a steady rate, one write() per record as Python's logging does,
// some of them matching `ruta_inexistente` for a folder of their own (`modelos/lat-000123/…`: the rule's key is the
// folder, so each is a new incident). Prints one JSON line at the end:
//   { lines, records, appended: { id: monotonic ms after its write() returned }, beforePause: [id…] }
// A matching record is sometimes followed by a pause (no line for `pauseMs`): its event can only be emitted by the
// multiline grouper's idle flush, which measures that floor apart from the steady flow.
//
// --prefix names the folders (`lat-` by default): a run whose journal already holds another run's incidents (a
// warm-up) gives its own records other names, or their keys fold into those incidents instead of opening new ones.
//
//   node bench/latency-writer.mjs FILE [--rate 1000] [--seconds 10] [--match-every 50] [--pause-every 40] [--pause-ms 300]
//                                      [--prefix lat-]
import { closeSync, openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { NOISE_TEMPLATES } from "./bot-log-templates.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    "match-every": { type: "string", default: "50" },
    "pause-every": { type: "string", default: "40" },
    "pause-ms": { type: "string", default: "300" },
    prefix: { type: "string", default: "lat-" },
  },
});
const [file] = positionals;
const rate = Number(values.rate);
const totalRecords = Math.round(rate * Number(values.seconds));
const matchEvery = Number(values["match-every"]);
const pauseEvery = Number(values["pause-every"]);
const pauseMs = Number(values["pause-ms"]);

const monoMs = () => Number(process.hrtime.bigint()) / 1e6;
const noise = NOISE_TEMPLATES.filter((t) => t.weight >= 10);

/** `YYYY-MM-DD HH:MM:SS,mmm` of now, as Python's logging writes it. */
function formatNow() {
  const d = new Date();
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

/** A matching record: half single lines, half tracebacks written in one write() like logging does. */
function renderMatch(ts, id, n) {
  const path = `modelos/${id}/20251225_143020_a3f2b1.mp4`;
  if (n % 2 === 0) return `${ts} - bot_central - ERROR - No se pudo crear ${path}: [Errno 2] No such file or directory: '${path}'\n`;
  return (
    `${ts} - bot_central - ERROR - Error al guardar el video\n` +
    `Traceback (most recent call last):\n` +
    `  File "/home/bot/app/main.py", line 212, in guardar_video\n` +
    `    with open(destino, "wb") as f:\n` +
    `FileNotFoundError: [Errno 2] No such file or directory: '${path}'\n`
  );
}

const fd = openSync(file, "a");
const appended = {};
const beforePause = [];
let lines = 0;
let matches = 0;
let pausedMs = 0;
const startedMs = monoMs();
let pauseAfterThis = false;
for (let i = 0; i < totalRecords; ) {
  // Records due by now at `rate`, minus time spent in pauses: a steady flow between the pauses.
  const due = Math.min(totalRecords, Math.floor(((monoMs() - startedMs - pausedMs) * rate) / 1000));
  while (i < due) {
    const ts = formatNow();
    let record;
    let video = null;
    if (i % matchEvery === matchEvery - 1) {
      video = `${values.prefix}${String(matches).padStart(6, "0")}`;
      record = renderMatch(ts, video, matches);
      matches++;
      if (matches % pauseEvery === 0) pauseAfterThis = true;
    } else {
      const t = noise[i % noise.length];
      record = `${t.render({ ts, m: "ana", v: "20251225_143020_a3f2b1.mp4", n: i, hex: "0x0" })}\n`;
    }
    writeSync(fd, record);
    if (video) appended[video] = monoMs();
    lines += record.split("\n").length - 1;
    i++;
    if (pauseAfterThis) {
      pauseAfterThis = false;
      beforePause.push(video);
      const pauseStarted = monoMs();
      await sleep(pauseMs);
      pausedMs += monoMs() - pauseStarted;
      break;
    }
  }
  await sleep(1);
}
closeSync(fd);
process.stdout.write(`${JSON.stringify({ lines, records: totalRecords, matches, seconds: (monoMs() - startedMs) / 1000, appended, beforePause })}\n`);
