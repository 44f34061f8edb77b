// The steps of one journal write, timed apart on this machine's disk: building the new file from cached element
// bytes, fsync of the new file, rename over the live file, fsync of the folder; for a whole rewrite (A), and for a new
// file whose stable prefix (the closed history) was written and synced before the change came, so the change itself
// only appends its tail and syncs that (B); C: a whole rewrite without any fsync, for comparison. Synchronous calls, one process, no event loop in between: the disk's and the
// kernel's share alone.
//
//   node bench/measure-journal-steps.mjs [--bytes 5400000] [--tail-bytes 20000] [--rounds 60] [--dir DIR]
import { closeSync, copyFileSync, fsyncSync, ftruncateSync, mkdtempSync, openSync, renameSync, rmSync, writeSync, writevSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    bytes: { type: "string", default: "5400000" },
    "tail-bytes": { type: "string", default: "20000" },
    rounds: { type: "string", default: "60" },
    dir: { type: "string" },
  },
});
const totalBytes = Number(values.bytes);
const tailBytes = Number(values["tail-bytes"]);
const rounds = Number(values.rounds);
const dir = mkdtempSync(join(values.dir ?? tmpdir(), "vigia-journal-steps-"));
const live = join(dir, "descarga_errors.json");

/** ~1 KB elements, as the journal caches them (one Buffer each). */
const element = Buffer.from(`  ${JSON.stringify({ error_message: "x".repeat(900) })}`);
const parts = [];
for (let n = 0; n < totalBytes - tailBytes; n += element.length + 2) parts.push(element, Buffer.from(",\n"));
const prefixBytes = parts.reduce((s, b) => s + b.length, 0);
const tail = Buffer.alloc(tailBytes, 0x20);

const ms = () => Number(process.hrtime.bigint()) / 1e6;
const steps = {};
function time(name, fn) {
  const t0 = ms();
  const result = fn();
  (steps[name] ??= []).push(ms() - t0);
  return result;
}
function fsyncDir() {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

writeSync(openSync(live, "w"), Buffer.concat([...parts, tail]));
let n = 0;
for (let r = 0; r < rounds; r++) {
  // A: the whole file rebuilt from the cached parts (what every write does today).
  const tmpA = join(dir, `.a.${n++}.tmp`);
  const fdA = time("A open", () => openSync(tmpA, "w"));
  time("A writev (whole file)", () => {
    for (let i = 0; i < parts.length; i += 1000) writevSync(fdA, parts.slice(i, i + 1000));
    writeSync(fdA, tail);
  });
  time("A fsync (whole file)", () => fsyncSync(fdA));
  closeSync(fdA);
  time("A rename", () => renameSync(tmpA, live));
  time("A fsync folder", () => fsyncDir());

  // B: what the journal does: the settled prefix written from the cached parts and synced ahead of the change (the
  // kernel's copy of the live file, then a truncate to the prefix, is timed beside it: no cheaper on ext4); the change
  // writes its tail and syncs; the rename happens while the replaced version is still open, which is released (its
  // blocks freed) after the rename, with the folder's fsync.
  const tmpK = join(dir, `.k.${n++}.tmp`);
  time("B' copy live (kernel copy_file_range)", () => copyFileSync(live, tmpK));
  const fdK = openSync(tmpK, "r+");
  time("B' truncate the copy to the prefix", () => ftruncateSync(fdK, prefixBytes));
  closeSync(fdK);
  rmSync(tmpK);
  const held = openSync(live, "r");
  const tmpB = join(dir, `.b.${n++}.tmp`);
  const fdB = openSync(tmpB, "w");
  time("B prepare: writev prefix", () => {
    for (let i = 0; i < parts.length; i += 1000) writevSync(fdB, parts.slice(i, i + 1000));
  });
  time("B prepare: fsync prefix", () => fsyncSync(fdB));
  time("B write tail", () => writeSync(fdB, tail, 0, tail.length, prefixBytes));
  time("B fsync (tail only dirty)", () => fsyncSync(fdB));
  closeSync(fdB);
  time("B rename (replaced version held open)", () => renameSync(tmpB, live));
  time("B release replaced version (after)", () => closeSync(held));
  time("B fsync folder (after)", () => fsyncDir());

  // C: as A without the fsyncs (what a reader and a kill -9 need; a power cut needs the fsyncs).
  const tmpC = join(dir, `.c.${n++}.tmp`);
  const fdC = openSync(tmpC, "w");
  time("C writev (whole file)", () => {
    for (let i = 0; i < parts.length; i += 1000) writevSync(fdC, parts.slice(i, i + 1000));
    writeSync(fdC, tail);
  });
  closeSync(fdC);
  time("C rename (no fsync before)", () => renameSync(tmpC, live));
}
rmSync(dir, { recursive: true, force: true });

const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const rows = Object.entries(steps).map(([name, list]) => {
  const s = [...list].sort((a, b) => a - b);
  return { step: name, p50: q(s, 0.5).toFixed(2), p90: q(s, 0.9).toFixed(2), p99: q(s, 0.99).toFixed(2), max: s.at(-1).toFixed(2) };
});
process.stdout.write(`file ${(totalBytes / 1e6).toFixed(1)} MB, tail ${tailBytes} B, ${rounds} rounds, ms:\n`);
console.table(rows);
