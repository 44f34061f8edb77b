// The live journal as operators and crashes meet it, with real processes: a child keeps writing it with vigia's
// JournalWriter (a closed history that does not change, incidents opened, folded and closed at its end), while
// jq and a slow reader read the real file, and SIGKILL lands at random moments.
import { describe, it, expect, afterEach } from "@jest/globals";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, fstatSync, openSync, readSync, statSync, closeSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LiveJournalFile } from "../../src/incidents/live-journal-file.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { sleepMs, waitFor } from "../helpers/wait-for.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIST = join(REPO_ROOT, "dist");
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "journal-churn-child.mjs");
/** Closed incidents already in the journal (~1.8 MB): a whole rewrite takes long enough for readers to overlap it. */
const HISTORY = 1200;

const makeDir = useTempDirs("vigia-journal-live-");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function writeHistory(journalPath: string): void {
  const filler = "h".repeat(1400);
  const elements = Array.from({ length: HISTORY }, (_, i) => {
    const at = new Date(Date.now() - 86_400_000 + i * 1000).toISOString();
    return { id: `hist-${i}`, timestamp: at, estado: i % 5 === 0 ? "fallido" : "solucionado", error_type: "ruta_inexistente", error_message: filler, resuelto: at, ocurrencias: 1 };
  });
  writeFileSync(journalPath, `${JSON.stringify(elements, null, 2)}\n`);
}

function startChurn(journalPath: string): { child: ChildProcess; stdout(): string; exited: Promise<void> } {
  const child = spawn(process.execPath, [CHILD, "--journal", journalPath, "--dist", DIST], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (t: string) => (out += t));
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (err += t));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => {
    if (err.trim()) process.stderr.write(`churn child stderr: ${err.slice(-2000)}\n`);
  });
  return { child, stdout: () => out, exited };
}

/** `id → [estado, ocurrencias]` of the last change of each incident the child said was written. */
function readAcked(stdout: string): Map<string, [string, number]> {
  const acked = new Map<string, [string, number]>();
  for (const m of stdout.matchAll(/^acked (\S+) (\S+) (\d+)$/gm)) acked.set(m[1]!, [m[2]!, Number(m[3])]);
  return acked;
}

function runJq(filter: string, path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("jq", ["-e", filter, path], (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** What changes when the file at `path` is written: its inode (a rename), size or modification time. */
function stampOf(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}`;
}

/**
 * Reads the whole file through one descriptor: at once up to its last 4 KB (where the writes change it), then
 * those 512 bytes at a time, waiting between two reads until the file at `path` was written again (every such read
 * straddles a write), then whatever follows at once.
 */
async function readAcrossWrites(path: string): Promise<string> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const slowFrom = Math.max(0, size - 4 * 1024);
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const slow = position >= slowFrom && position < size;
      const chunk = Buffer.alloc(slow ? 512 : Math.max(64 * 1024, slowFrom - position));
      const stamp = stampOf(path);
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      position += n;
      if (slow) await waitFor(() => stampOf(path) !== stamp, { what: "the next write", everyMs: 1 });
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

describe("the live journal while vigia writes it", () => {
  it("is a whole JSON array for jq, and for a reader whose reads straddle writes, at every moment they open it", async () => {
    const dir = makeDir();
    const journalPath = join(dir, "descarga_errors.json");
    writeHistory(journalPath);
    const churn = startChurn(journalPath);
    await waitFor(() => churn.stdout().includes("ready ") || churn.child.exitCode !== null, "the writer's load");
    expect(churn.stdout()).toMatch(/^ready 1200 ok$/m);

    const ackedBefore = readAcked(churn.stdout()).size;
    let jqReads = 0;
    let slowReads = 0;
    const failures: string[] = [];
    const jqLoop = (async () => {
      for (let i = 0; i < 60; i++) {
        const r = await runJq(`type == "array" and length >= ${HISTORY} and all(.[]; type == "object" and (.id | type) == "string")`, journalPath);
        jqReads++;
        if (r.code !== 0) failures.push(`jq exit ${r.code}: ${r.stderr.slice(0, 200)}`);
      }
    })();
    const slowLoop = (async () => {
      for (let i = 0; i < 20; i++) {
        const text = await readAcrossWrites(journalPath);
        slowReads++;
        try {
          const parsed = JSON.parse(text) as unknown[];
          if (!Array.isArray(parsed) || parsed.length < HISTORY) failures.push(`slow read ${i}: ${parsed.length} elements`);
        } catch (error) {
          failures.push(`slow read ${i}: ${(error as Error).message} (${text.length} chars)`);
        }
      }
    })();
    await Promise.all([jqLoop, slowLoop]);
    const writesDuringReads = readAcked(churn.stdout()).size - ackedBefore;
    churn.child.kill("SIGKILL");
    await churn.exited;

    expect(failures).toEqual([]);
    expect({ jqReads, slowReads }).toEqual({ jqReads: 60, slowReads: 20 });
    // The readers really overlapped writes: many incidents were written while they read.
    expect(writesDuringReads).toBeGreaterThan(20);
  });

  it("after SIGKILL at any moment holds every change that was written, each incident once, and loads again", async () => {
    const dir = makeDir();
    const journalPath = join(dir, "descarga_errors.json");
    writeHistory(journalPath);
    const acked = new Map<string, [string, number]>();
    for (let kill = 0; kill < 8; kill++) {
      const churn = startChurn(journalPath);
      await waitFor(() => churn.stdout().includes("ready ") || churn.child.exitCode !== null, "the writer's load");
      const ready = /^ready (\d+) (\w+)$/m.exec(churn.stdout());
      expect(ready?.[2]).toBe("ok");
      // Each start found what the last one left, temp files of killed writes included, and cleared those.
      await waitFor(() => readAcked(churn.stdout()).size >= 3 + kill, "a few writes");
      await sleepMs(kill * 7);
      churn.child.kill("SIGKILL");
      await churn.exited;
      for (const [id, state] of readAcked(churn.stdout())) acked.set(id, state);

      const jq = await runJq("type == \"array\"", journalPath);
      expect(jq.code).toBe(0);
      const elements = JSON.parse(readFileSync(journalPath, "utf8")) as Array<{ id: string; estado: string; ocurrencias: number }>;
      const byId = new Map<string, { estado: string; ocurrencias: number }>();
      const duplicates = elements.filter((el) => byId.has(el.id) || !byId.set(el.id, el));
      expect(duplicates.map((el) => el.id)).toEqual([]);
      expect(elements.filter((el) => el.id.startsWith("hist-"))).toHaveLength(HISTORY);
      const missing: string[] = [];
      for (const [id, [estado, ocurrencias]] of acked) {
        const onDisk = byId.get(id);
        // A later change may have reached the file before the kill, never an earlier one.
        const behind = !onDisk || (estado === "solucionado" && onDisk.estado !== "solucionado") || onDisk.ocurrencias < ocurrencias;
        if (behind) missing.push(`${id} ${estado} ${ocurrencias}: ${onDisk ? `${onDisk.estado} ${onDisk.ocurrencias}` : "absent"}`);
      }
      expect(missing).toEqual([]);
    }
    const last = startChurn(journalPath);
    await waitFor(() => last.stdout().includes("ready ") || last.child.exitCode !== null, "the last load");
    expect(last.stdout()).toMatch(/^ready \d+ ok$/m);
    await waitFor(() => readAcked(last.stdout()).size >= 1, "a write after the last start");
    last.child.kill("SIGKILL");
    await last.exited;
    // Temp files of the killed writers went at the next start; the last kill may leave its own.
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp")).length).toBeLessThanOrEqual(2);
  });
});

describe("LiveJournalFile", () => {
  const chunk = (text: string) => Buffer.from(text);

  it("finishes a prepared beginning only for a version that starts with it, and leaves no temp file either way", async () => {
    const dir = makeDir();
    const path = join(dir, "descarga_errors.json");
    writeFileSync(path, "[]\n");
    const file = new LiveJournalFile(path);
    await file.hold();
    const open = chunk("[\n");
    const a = chunk('  {"id": "a"}');
    const b = chunk('  {"id": "b"}');
    const sep = chunk(",\n");
    const close = chunk("\n]\n");
    await file.prepare([open, a, sep]);
    const first = await file.replace([open, a, sep, b, close]);
    await first.durable;
    expect(first.fromPrepared).toBe(true);
    expect(readFileSync(path, "utf8")).toBe('[\n  {"id": "a"},\n  {"id": "b"}\n]\n');

    // `a` changed since the beginning was prepared: the new version is written whole.
    await file.prepare([open, a, sep]);
    const a2 = chunk('  {"id": "a", "estado": "solucionado"}');
    const second = await file.replace([open, a2, sep, b, close]);
    await second.durable;
    expect(second.fromPrepared).toBe(false);
    expect(readFileSync(path, "utf8")).toBe('[\n  {"id": "a", "estado": "solucionado"},\n  {"id": "b"}\n]\n');
    await file.close();
    expect(readdirSync(dir)).toEqual(["descarga_errors.json"]);
  });

  it("gives the new version the mode the live file has when it replaces it, not when the beginning was prepared", async () => {
    const dir = makeDir();
    const path = join(dir, "descarga_errors.json");
    writeFileSync(path, "[]\n");
    const file = new LiveJournalFile(path);
    const open = chunk("[\n");
    const a = chunk('  {"id": "a"}');
    const sep = chunk(",\n");
    await file.prepare([open, a, sep]);
    chmodSync(path, 0o440);
    const replaced = await file.replace([open, a, sep, chunk('  {"id": "b"}'), chunk("\n]\n")]);
    await replaced.durable;
    expect(replaced.fromPrepared).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o440);
    await file.close();
  });
});
