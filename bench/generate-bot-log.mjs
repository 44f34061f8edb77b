// Writes a realistic bot log (see bot-log-templates.mjs) of a given number of lines or bytes, deterministically
// (seeded), and returns what it wrote per template and the distinct incident keys, so the benchmark knows the truth.
// Run alone: node bench/generate-bot-log.mjs OUT [--lines N | --bytes N] [--seed N] [--videos N]
import { closeSync, openSync, writeSync } from "node:fs";
import { ALL_TEMPLATES, MODELS, pickHex } from "./bot-log-templates.mjs";

/** Bytes buffered before one write(): big writes keep generation far faster than any reader. */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
const START_MS = Date.UTC(2025, 11, 25, 3, 0, 0);

/** A small, fast, seeded PRNG (mulberry32): the same seed writes the same log. */
export function createRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DD HH:MM:SS` of a UTC epoch second. */
function formatSecond(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** A pool of (model, video) pairs: the bot's downloads, which errors keep hitting (retries fold into one incident). */
export function createVideoPool(size, random) {
  const pool = [];
  for (let i = 0; i < size; i++) {
    const m = MODELS[Math.floor(random() * MODELS.length)];
    const when = formatSecond(START_MS / 1000 + Math.floor(random() * 86400)).replace(/[-:]/g, "").replace(" ", "_");
    const hex = Math.floor(random() * 0xffffff).toString(16).padStart(6, "0");
    pool.push({ m, v: `${when}_${hex}.mp4` });
  }
  return pool;
}

/**
 * Writes the log to `path`, stopping at the first record that reaches `lines` lines or `bytes` bytes.
 * `keyOf(text)`, when given, is asked for the incident key of each matching record (the real matcher's answer).
 * Returns { lines, events, bytes, perTemplate: {id: records}, keys: Set of the keys seen }.
 */
export function generateBotLog({ path, lines = 2_000_000, bytes = Infinity, seed = 7, videos = 1000, templates = ALL_TEMPLATES, keyOf = null }) {
  const random = createRandom(seed);
  const pool = createVideoPool(videos, random);
  const totalWeight = templates.reduce((sum, t) => sum + t.weight, 0);
  const cumulative = [];
  let acc = 0;
  for (const t of templates) cumulative.push((acc += t.weight / totalWeight));
  const perTemplate = Object.fromEntries(templates.map((t) => [t.id, 0]));
  const keys = new Set();
  const fd = openSync(path, "w");
  let chunk = "";
  let written = 0;
  let lineCount = 0;
  let events = 0;
  let clockMs = START_MS;
  let cachedSecond = -1;
  let cachedPrefix = "";
  const ctx = { ts: "", m: "", v: "", n: 0, hex: "" };
  try {
    while (lineCount < lines && written + chunk.length < bytes) {
      clockMs += Math.floor(random() * 40);
      const second = Math.floor(clockMs / 1000);
      if (second !== cachedSecond) {
        cachedSecond = second;
        cachedPrefix = formatSecond(second);
      }
      const ms = clockMs % 1000;
      ctx.ts = `${cachedPrefix},${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
      const r = random();
      let i = 0;
      while (cumulative[i] < r && i < cumulative.length - 1) i++;
      const template = templates[i];
      const video = pool[Math.floor(random() * pool.length)];
      ctx.m = video.m;
      ctx.v = video.v;
      ctx.n = Math.floor(random() * 1e9);
      ctx.hex = pickHex(ctx.n);
      const record = template.render(ctx);
      perTemplate[template.id]++;
      if (keyOf && template.rule) {
        const key = keyOf(record);
        if (key !== null) keys.add(key);
      }
      events++;
      lineCount += countLines(record);
      chunk += record + "\n";
      // Every template is ASCII apart from the odd accented word: string length stands for bytes here.
      if (chunk.length >= WRITE_CHUNK_BYTES) {
        written += writeSync(fd, chunk);
        chunk = "";
      }
    }
    if (chunk) written += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return { path, lines: lineCount, events, bytes: written, perTemplate, keys };
}

function countLines(text) {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import("node:util");
  const usage = "usage: node bench/generate-bot-log.mjs OUT [--lines N | --bytes N] [--seed N] [--videos N]\n";
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { lines: { type: "string" }, bytes: { type: "string" }, seed: { type: "string" }, videos: { type: "string" }, help: { type: "boolean" } },
    });
  } catch (error) {
    process.stderr.write(`${error.message}\n${usage}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  if (positionals.length !== 1) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const started = performance.now();
  const out = generateBotLog({
    path: positionals[0],
    lines: values.lines ? Number(values.lines) : values.bytes ? Infinity : 2_000_000,
    bytes: values.bytes ? Number(values.bytes) : Infinity,
    seed: values.seed ? Number(values.seed) : 7,
    videos: values.videos ? Number(values.videos) : 1000,
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...out, keys: out.keys.size, seconds: Number(seconds.toFixed(2)) })}\n`);
}
