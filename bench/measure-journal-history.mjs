// Journal write cost with a long history: the workspace's journal starts with N closed incidents (spread over the
// last year, ~1 KB each like a traceback's), then the latency run measures append → incident → journal at 1 000
// lines/s. A first short run lets vigia move what its archive policy says to the monthly archives (as the first
// start after an upgrade would); the measured run starts from the journal that run left.
//
//   node bench/measure-journal-history.mjs [--history 100000] [--seconds 20] [--rate 1000] [--no-archive] [--keep]
//                                          [--max-bytes N] [--profile DIR]
//
// --no-archive: `journal_archive: { keep_days: 100000, max_bytes: null }`, i.e. everything stays live (the
// behaviour before archives), for comparison. --max-bytes N: `journal_archive.max_bytes` other than the default's.
// --profile DIR: the measured run's engine under `node --cpu-prof`, its
// profile summarised (bench/summarize-cpu-profile.mjs) and kept in DIR.
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureBuild } from "./ensure-build.mjs";
import { measureLatency } from "./measure-latency.mjs";
import { prepareWorkspace } from "./prepare-workspace.mjs";
import { formatCpuSummary, summarizeCpuProfile } from "./summarize-cpu-profile.mjs";

const { values } = parseArgs({
  options: {
    history: { type: "string", default: "100000" },
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "1000" },
    "no-archive": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "max-bytes": { type: "string" },
    profile: { type: "string" },
  },
});
const history = Number(values.history);
const DAY_MS = 86_400_000;

/** `2025-12-07T10:00:00.000+01:00`-style local ISO time with offset, as the journal writes it. */
function formatLocalIso(ms) {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, "0");
  const sign = off >= 0 ? "+" : "-";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** One closed incident of the history, detected at `atMs`. */
function makeHistoricIncident(n, atMs) {
  const detected = formatLocalIso(atMs);
  const closed = formatLocalIso(atMs + 3000);
  const video = `video_${n}.mp4`;
  const trace = [
    "2025-01-01 00:00:00,000 - bot - ERROR - Error descargando video",
    "Traceback (most recent call last):",
    '  File "/app/main.py", line 412, in descargar_video',
    "    await cliente.download_media(mensaje, file=destino)",
    '  File "/usr/lib/python3/dist-packages/telethon/client/downloads.py", line 330, in download_media',
    "    return await self._download_document(media, file, date, thumb, progress_callback)",
    `FileNotFoundError: [Errno 2] No such file or directory: 'modelos/modelo_${n % 500}/${video}'`,
  ].join("\n");
  return {
    timestamp: detected,
    modelo: `modelo_${n % 500}`,
    video,
    error_type: "ruta_inexistente",
    error_message: trace,
    accion: `mkdir -p modelos/modelo_${n % 500}`,
    estado: n % 7 === 0 ? "fallido" : "solucionado",
    intento: 1,
    max_intentos: 3,
    id: `hist-${String(n).padStart(7, "0")}`,
    fuente: "bot",
    archivo: "logs/bot_central.log",
    severidad: "warning",
    campos: { path: `modelos/modelo_${n % 500}/${video}`, modelo: `modelo_${n % 500}`, video },
    ocurrencias: 1,
    clave: `modelos/modelo_${n % 500}/${video}`,
    ultima_ocurrencia: detected,
    posicion: null,
    transiciones: [
      { estado: "detectado", timestamp: detected, accion: null, intento: 0, detalle: null },
      { estado: "reintentando", timestamp: detected, accion: `mkdir -p modelos/modelo_${n % 500}`, intento: 1, detalle: null },
      { estado: "solucionado", timestamp: closed, accion: `mkdir -p modelos/modelo_${n % 500}`, intento: 1, detalle: null },
    ],
    resuelto: closed,
    duracion_ms: 3000,
  };
}

/** The history, oldest first, over the last 365 days. */
function writeHistory(journalPath) {
  const now = Date.now();
  const parts = [];
  for (let n = 0; n < history; n++) parts.push(JSON.stringify([makeHistoricIncident(n, now - 365 * DAY_MS + (n / history) * 364 * DAY_MS)], null, 2).slice(2, -2));
  writeFileSync(journalPath, `[\n${parts.join(",\n")}\n]\n`);
}

/** Bytes and element counts of the live journal and its archives. */
function describeJournalFiles(ws) {
  const files = readdirSync(join(ws.dir, "logs")).filter((n) => /^descarga_errors.*\.json$/.test(n));
  const live = statSync(ws.journalPath).size;
  const archives = files.filter((n) => n !== "descarga_errors.json");
  const archiveBytes = archives.reduce((sum, n) => sum + statSync(join(ws.dir, "logs", n)).size, 0);
  return { liveBytes: live, archiveFiles: archives.length, archiveBytes };
}

ensureBuild();
const ws = prepareWorkspace();
if (values["no-archive"]) appendFileSync(join(ws.dir, "vigia.config.yaml"), "journal_archive: { keep_days: 100000, max_bytes: null }\n");
else if (values["max-bytes"]) appendFileSync(join(ws.dir, "vigia.config.yaml"), `journal_archive: { max_bytes: ${Number(values["max-bytes"])} }\n`);
const saved = join(ws.dir, "history.json");
process.stderr.write(`writing a history of ${history} closed incidents…\n`);
writeHistory(saved);
process.stderr.write(`history: ${(statSync(saved).size / 1e6).toFixed(1)} MB; first run (moves what the policy says)…\n`);
// First run: load the whole history, archive by policy; what it leaves is the steady state measured next. Its
// records are named apart (`lat-warmup-…`): the journal it leaves holds their incidents, and the measured run's
// `lat-000000`… must open incidents of their own, not fold into those within their cooldown.
await measureLatency(ws, { rate: 200, seconds: 2, prepare: () => copyFileSync(saved, ws.journalPath), prefix: "lat-warmup-" });
copyFileSync(ws.journalPath, saved);
const before = describeJournalFiles(ws);
process.stderr.write(`after the first run: live ${(before.liveBytes / 1e6).toFixed(1)} MB, ${before.archiveFiles} archive file(s) ${(before.archiveBytes / 1e6).toFixed(1)} MB; measuring…\n`);
const profileDir = values.profile ?? null;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const result = await measureLatency(ws, { rate: Number(values.rate), seconds: Number(values.seconds), prepare: () => copyFileSync(saved, ws.journalPath), profileDir });
const after = describeJournalFiles(ws);
process.stdout.write(
  `${JSON.stringify({ history, archive: !values["no-archive"], journalFiles: after, toIncident: result.toIncident, toJournal: result.toJournal, incidentToJournal: result.incidentToJournal, lost: result.lost, peakRssBytes: result.engine.peakRssBytes }, null, 2)}\n`,
);
if (profileDir) {
  // The main thread's (`CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile`), not the workers'.
  const profiles = readdirSync(profileDir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)).sort();
  if (profiles.length) process.stderr.write(`${formatCpuSummary(summarizeCpuProfile(JSON.parse(readFileSync(join(profileDir, profiles.at(-1)), "utf8"))), 25)}\n`);
}
if (!values.keep) ws.cleanup();
else process.stderr.write(`kept ${ws.dir}\n`);
