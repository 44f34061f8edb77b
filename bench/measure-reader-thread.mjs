// What a reader thread would leave on the main thread. The catch-up's per-line steps (split, group, pack) run on
// the engine's main thread today; a reader worker of their own would leave it reading and handing bytes and
// packed batches on. This measures both arrangements on one file, without the engine around them, each pass the
// main thread's CPU (its /proc task, so a core taken by someone else does not count):
//   main     read 1 MiB chunks, split (LineSplitter), group (MultilineGrouper), pack, post each batch to a matching
//            stand-in worker (it answers with the batch's last event, as the matching worker hands back at least)
//   reader   read 1 MiB chunks and post a copy to a reader worker that splits, groups and packs; each packed
//            batch that comes back is posted on, as it is, to the same stand-in
//   ranges   the splitter's state kept on the main thread, its text moved: the main thread reads 1 MiB chunks,
//            finds each line's end (Buffer.indexOf, no string made) and posts a copy of the chunk with the lines'
//            byte ranges to a reader worker that decodes, groups and packs them; packed batches posted on as above
//            (a prototype: LF ends alone, no line cut at the cap, no NUL skipping)
//   bytes    the reader's reading alone: read 1 MiB chunks and post a copy to a worker that only answers (the part
//            of `reader` no reader thread can take away)
// Both keep at most 20 000 events unanswered by the stand-in (the matching worker's bound) and 4 chunks unanswered
// by the reader. The events and lines counted must be the same in both.
// Run alone: node bench/measure-reader-thread.mjs FILE [--rounds 3]
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DIST } from "./ensure-build.mjs";

const CHUNK_BYTES = 1024 * 1024;
const MAX_QUEUED_EVENTS = 20_000;
const MAX_CHUNKS_IN_FLIGHT = 4;
const START = "^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}";

/** The per-line steps, the same code in both arrangements (evaluated in the reader worker too). */
const STEPS = `
const { LineSplitter } = await import(${JSON.stringify(pathToFileURL(join(DIST, "sources", "line-splitter.js")).href)});
const { MultilineGrouper } = await import(${JSON.stringify(pathToFileURL(join(DIST, "events", "multiline-grouper.js")).href)});
function createSteps(file) {
  const splitter = new LineSplitter(64 * 1024, 0);
  const grouper = new MultilineGrouper({ startPatterns: { bot: new RegExp(${JSON.stringify(START)}) } });
  let batch = [];
  let readAtMs = 0;
  const sink = (text, offset, endOffset) => batch.push({ source: "bot", file, text, offset, endOffset, fileId: "1:1", readAtMs });
  /** Splits and groups one chunk; returns the lines it completed and the events, packed (null when none). */
  const push = (bytes, nowMs) => {
    batch = [];
    readAtMs = nowMs;
    splitter.push(bytes, 0, bytes.length, sink);
    const out = [];
    grouper.push(batch, nowMs, out);
    return { lines: batch.length, packed: out.length > 0 ? pack(out) : null };
  };
  /** Decodes and groups lines given as byte ranges of a chunk that starts at file offset firstOffset. */
  const pushRanges = (bytes, starts, ends, firstOffset, nowMs) => {
    const lines = new Array(starts.length);
    for (let i = 0; i < starts.length; i++) {
      const offset = firstOffset + starts[i];
      lines[i] = { source: "bot", file, text: bytes.toString("utf8", starts[i], ends[i]), offset, endOffset: firstOffset + ends[i] + 1, fileId: "1:1", readAtMs: nowMs };
    }
    const out = [];
    grouper.push(lines, nowMs, out);
    return { lines: lines.length, packed: out.length > 0 ? pack(out) : null };
  };
  const finish = () => {
    const out = [];
    grouper.flushAll(out);
    return out.length > 0 ? pack(out) : null;
  };
  return { push, pushRanges, finish };
}
/** As the matching worker's protocol packs a batch, plus what the main thread keeps of each event (offsets, lines). */
function pack(events) {
  const n = events.length;
  const texts = new Array(n);
  const lengths = new Int32Array(n);
  const offsets = new Float64Array(n);
  const endOffsets = new Float64Array(n);
  const lineCounts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = events[i];
    texts[i] = e.text;
    lengths[i] = e.text.length;
    offsets[i] = e.offset;
    endOffsets[i] = e.endOffset;
    lineCounts[i] = e.lineCount;
  }
  return { text: texts.join(""), lengths, offsets, endOffsets, lineCounts, sources: ["bot"], sourceOf: new Uint16Array(n) };
}
`;

const READER = `
import { parentPort, workerData } from "node:worker_threads";
${STEPS}
const steps = createSteps(workerData.file);
parentPort.on("message", (m) => {
  if (m.type === "ranges") {
    const { lines, packed } = steps.pushRanges(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length), m.starts, m.ends, m.firstOffset, m.nowMs);
    parentPort.postMessage({ type: "done", lines, packed }, packed ? [packed.lengths.buffer, packed.offsets.buffer, packed.endOffsets.buffer, packed.lineCounts.buffer, packed.sourceOf.buffer] : []);
  } else if (m.type === "chunk" && workerData.bytesOnly) {
    parentPort.postMessage({ type: "done", lines: 0, packed: null });
  } else if (m.type === "chunk") {
    const { lines, packed } = steps.push(Buffer.from(m.bytes), m.nowMs);
    parentPort.postMessage({ type: "done", lines, packed }, packed ? [packed.lengths.buffer, packed.offsets.buffer, packed.endOffsets.buffer, packed.lineCounts.buffer, packed.sourceOf.buffer] : []);
  } else {
    parentPort.postMessage({ type: "finished", packed: steps.finish() });
  }
});
`;

const MATCHER_STANDIN = `
import { parentPort } from "node:worker_threads";
parentPort.on("message", (m) => parentPort.postMessage({ id: m.id, count: m.events.lengths.length, forwarded: Int32Array.of(m.events.lengths.length - 1) }));
`;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: "string", default: "3" } } });
const file = positionals[0];
if (!file) {
  process.stderr.write("usage: node bench/measure-reader-thread.mjs FILE [--rounds N]\n");
  process.exit(2);
}
const steps = (await import(`data:text/javascript,${encodeURIComponent(`${STEPS}\nexport { createSteps };`)}`)).createSteps;

function readMainThreadCpuMs() {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The matching stand-in: posts batches, counts what it answers, lets the reading wait while it is full. */
function createMatcher() {
  const worker = new Worker(MATCHER_STANDIN, { eval: true, type: "module" });
  let nextId = 1;
  let queued = 0;
  let events = 0;
  const waiters = [];
  let idle = null;
  const pending = new Map();
  worker.on("message", (m) => {
    queued -= pending.get(m.id);
    pending.delete(m.id);
    events += m.count;
    if (queued < MAX_QUEUED_EVENTS / 2) for (const wake of waiters.splice(0)) wake();
    if (pending.size === 0) idle?.();
  });
  return {
    post(packed) {
      const id = nextId++;
      const n = packed.lengths.length;
      pending.set(id, n);
      queued += n;
      worker.postMessage({ id, events: packed });
    },
    room: () => (queued < MAX_QUEUED_EVENTS ? null : new Promise((wake) => waiters.push(wake))),
    async close() {
      if (pending.size > 0) await new Promise((resolve) => (idle = resolve));
      await worker.terminate();
      return events;
    },
  };
}

async function runMain(size) {
  const matcher = createMatcher();
  const s = steps(file);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(file, "r");
  let lines = 0;
  try {
    for (let position = 0; position < size; ) {
      await matcher.room();
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      position += n;
      const { lines: l, packed } = s.push(buffer.subarray(0, n), Date.now());
      lines += l;
      if (packed) matcher.post(packed);
    }
  } finally {
    closeSync(fd);
  }
  const last = s.finish();
  if (last) matcher.post(last);
  return { lines, events: await matcher.close() };
}

async function runReader(size, bytesOnly = false, ranges = false) {
  const matcher = createMatcher();
  const reader = new Worker(READER, { eval: true, type: "module", workerData: { file, bytesOnly } });
  let lines = 0;
  let inFlight = 0;
  let wake = null;
  let finished = null;
  reader.on("message", (m) => {
    if (m.packed) matcher.post(m.packed);
    if (m.type === "finished") return finished();
    lines += m.lines;
    inFlight--;
    wake?.();
  });
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(file, "r");
  try {
    for (let position = 0; position < size; ) {
      while (inFlight >= MAX_CHUNKS_IN_FLIGHT) await new Promise((resolve) => (wake = resolve));
      await matcher.room();
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      if (ranges) {
        // Whole lines only: the bytes after the last LF are read again with the next chunk (the splitter's held line).
        const { starts, ends, used } = findLineRanges(buffer, n);
        const bytes = new Uint8Array(used);
        bytes.set(buffer.subarray(0, used));
        inFlight++;
        reader.postMessage({ type: "ranges", bytes, starts, ends, firstOffset: position, nowMs: Date.now() }, [bytes.buffer, starts.buffer, ends.buffer]);
        position += used;
        if (n < CHUNK_BYTES && used === n) position = size;
        continue;
      }
      position += n;
      const bytes = new Uint8Array(n);
      bytes.set(buffer.subarray(0, n));
      inFlight++;
      reader.postMessage({ type: "chunk", bytes, nowMs: Date.now() }, [bytes.buffer]);
    }
  } finally {
    closeSync(fd);
  }
  await new Promise((resolve) => {
    finished = resolve;
    reader.postMessage({ type: "finish" });
  });
  await reader.terminate();
  return { lines, events: await matcher.close() };
}

/** The byte ranges of the complete lines in buffer[0, n) (LF excluded), and how many bytes they take. */
function findLineRanges(buffer, n) {
  let count = 0;
  for (let at = buffer.indexOf(10); at >= 0 && at < n; at = buffer.indexOf(10, at + 1)) count++;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const nl = buffer.indexOf(10, start);
    starts[i] = start;
    ends[i] = nl;
    start = nl + 1;
  }
  return { starts, ends, used: start };
}

const size = statSync(file).size;
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
process.stdout.write(`${file}: ${size} bytes, load ${load()} at ${new Date().toISOString()}\n`);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, run] of [["main", runMain], ["reader", runReader], ["ranges", (n) => runReader(n, false, true)], ["bytes", (n) => runReader(n, true)]]) {
    const cpu = readMainThreadCpuMs();
    const wall = performance.now();
    const { lines, events } = await run(size);
    const mainCpuMs = readMainThreadCpuMs() - cpu;
    process.stdout.write(
      `round ${round} ${name.padEnd(6)} main-thread CPU ${String(Math.round(mainCpuMs)).padStart(5)} ms, wall ${String(Math.round(performance.now() - wall)).padStart(5)} ms, ${lines} lines, ${events} events, load ${load()}\n`,
    );
  }
}
