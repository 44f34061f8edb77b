import { beforeEach, describe, expect, it } from "@jest/globals";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JournalWriter } from "../../src/incidents/journal-writer.js";
import { JournalReadError, loadJournal, parseJournal } from "../../src/incidents/load-journal.js";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import { createIncident, type TrackedIncident } from "../../src/incidents/create-incident.js";
import { applyTransition } from "../../src/incidents/incident-state.js";
import { makeEvent, makeMatch, makeRule } from "../helpers/make-rule.js";
import { waitFor } from "../helpers/wait-for.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const newTempDir = useTempDirs("vigia-journal-");

const T0 = Date.parse("2025-12-25T14:30:20.000+01:00");
let dir: string;
let path: string;

beforeEach(() => {
  dir = newTempDir();
  path = join(dir, "logs", "descarga_errors.json");
  mkdirSync(join(dir, "logs"));
});

function makeTrackedIncident(n: number, atMs = T0 + n * 1000): TrackedIncident {
  const rule = makeRule({ id: "ruta_inexistente", actions: [{ type: "mkdir" }] });
  return createIncident(makeMatch(rule, { path: `modelos/m${n}` }), { nowMs: atMs, id: `inc-${n}`, defaultMaxIntentos: 3 });
}

/** Each write the writer reports, as something to await. */
class WriteWaiter {
  private waiting: Array<() => void> = [];
  private done = 0;
  private taken = 0;
  readonly onWrite = (): void => {
    this.done++;
    for (const resolve of this.waiting.splice(0)) resolve();
  };
  /** Resolves once the write after the last one awaited has ended (reported, and its promise settled). */
  async next(): Promise<void> {
    this.taken++;
    while (this.done < this.taken) await new Promise<void>((resolve) => this.waiting.push(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function readJournal(): Array<Record<string, unknown>> {
  return JSON.parse(readFileSync(path, "utf8")) as Array<Record<string, unknown>>;
}

describe("JournalWriter", () => {
  it("starts a journal, appends to an existing one and keeps foreign records untouched", async () => {
    const legacy = { timestamp: "2025-12-20T10:00:00", modelo: "ana", video: "v.mp4", error_type: "timeout", estado: "fallido", extra: [1, 2] };
    writeFileSync(path, JSON.stringify([legacy]));
    const writer = new JournalWriter(path);
    const loaded = await writer.load();
    expect(loaded).toEqual({ elements: [legacy], problem: null, movedAsideTo: null });
    writer.upsert(makeTrackedIncident(1));
    await writer.flush();
    const journal = readJournal();
    expect(journal).toHaveLength(2);
    expect(journal[0]).toEqual(legacy);
    expect(journal[1]).toMatchObject({ id: "inc-1", estado: "detectado" });
  });

  it("writes 2-space pretty JSON identical to JSON.stringify of the whole array", async () => {
    const writer = new JournalWriter(path);
    await writer.load();
    const incidents = [makeTrackedIncident(1), makeTrackedIncident(2)];
    incidents[1]!.error_message = 'línea con "comillas"\ny salto\ttab 🎬';
    for (const i of incidents) writer.upsert(i);
    await writer.flush();
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(incidents, null, 2)}\n`);
    // Updating one element re-serialises it; the cached others still produce the same document.
    const updated = applyTransition(incidents[0]!, "fallido", { accion: "solo alerta" }, T0 + 5000);
    writer.upsert(updated);
    await writer.flush();
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify([updated, incidents[1]], null, 2)}\n`);
    const compact = new JournalWriter(join(dir, "compact.json"), { pretty: false });
    await compact.load();
    compact.upsert(incidents[0]!);
    expect(compact.serialize()).toBe(`${JSON.stringify([incidents[0]])}\n`);
    expect(new JournalWriter(join(dir, "empty.json")).serialize()).toBe("[]\n");
  });

  it("orders elements by detection time and replaces by id", async () => {
    const writer = new JournalWriter(path);
    await writer.load();
    writer.upsert(makeTrackedIncident(3));
    writer.upsert(makeTrackedIncident(1));
    writer.upsert(makeTrackedIncident(2));
    writer.upsert({ ...makeTrackedIncident(1), ocurrencias: 7 });
    await writer.flush();
    expect(readJournal().map((i) => [i.id, i.ocurrencias])).toEqual([
      ["inc-1", 7],
      ["inc-2", 1],
      ["inc-3", 1],
    ]);
  });

  it("coalesces many non-final updates into a few writes", async () => {
    const writer = new JournalWriter(path, { minIntervalMs: 100 });
    await writer.load();
    for (let n = 0; n < 1000; n++) writer.upsert(makeTrackedIncident(n % 50, T0 + (n % 50)));
    await waitFor(() => writer.getStats().writes >= 1, "the first write");
    await writer.flush();
    expect(writer.getStats().writes).toBeLessThanOrEqual(3);
    expect(readJournal()).toHaveLength(50);
  });

  it("writes a final transition promptly, without waiting for the coalescing interval", async () => {
    const writer = new JournalWriter(path, { minIntervalMs: 60_000 });
    await writer.load();
    const incident = makeTrackedIncident(1);
    writer.upsert(incident);
    writer.upsert(applyTransition(incident, "fallido", { accion: "solo alerta" }, T0 + 10));
    await waitFor(() => writer.getStats().writes === 1, "the final transition written");
    expect(readJournal()[0]).toMatchObject({ estado: "fallido", accion: "solo alerta" });
  });

  it("writes a non-final change as soon as no write is under way, with no timer in between", async () => {
    const clock = new VirtualClock(T0);
    const writes = new WriteWaiter();
    const writer = new JournalWriter(path, { clock, onWrite: writes.onWrite });
    await writer.load();
    writer.upsert(makeTrackedIncident(1)); // opened: not a final state
    await writes.next();
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1"]);
    writer.upsert({ ...makeTrackedIncident(1), ocurrencias: 2 }); // a fold, right after that write
    await writes.next();
    expect(readJournal()[0]).toMatchObject({ id: "inc-1", ocurrencias: 2 });
    // Virtual time stood still: a timer set on the way would still be pending.
    expect(clock.pendingTimers()).toBe(0);
  });

  it("with minIntervalMs, holds a non-final change made right after a write until the interval has passed", async () => {
    const clock = new VirtualClock(T0);
    const writes = new WriteWaiter();
    const writer = new JournalWriter(path, { minIntervalMs: 60_000, clock, onWrite: writes.onWrite });
    await writer.load();
    writer.upsert(makeTrackedIncident(1)); // nothing written for a long time: at once
    await writes.next();
    writer.upsert(makeTrackedIncident(2));
    expect(clock.timersDue()).toEqual([60_000]);
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1"]);
    await clock.advance(60_000);
    await writes.next();
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1", "inc-2"]);
  });

  it("keeps the file valid JSON at every instant while writing continuously", async () => {
    const writer = new JournalWriter(path, { minIntervalMs: 0 });
    await writer.load();
    let incident = makeTrackedIncident(0);
    writer.upsert(incident);
    await writer.flush();
    let reads = 0;
    let stop = false;
    // A reader polling on every turn of the event loop, between the writer's open/write/fsync/rename steps.
    const reader = (async () => {
      while (!stop) {
        const text = readFileSync(path, "utf8");
        expect(() => JSON.parse(text)).not.toThrow();
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let n = 1; n <= 40; n++) {
      writer.upsert(makeTrackedIncident(n));
      incident = { ...incident, ocurrencias: n };
      writer.upsert(incident, true);
      await new Promise((r) => setTimeout(r, 1));
    }
    await writer.flush();
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(10);
    expect(readJournal()).toHaveLength(41);
    expect(readdirSync(join(dir, "logs"))).toEqual(["descarga_errors.json"]); // no temp files left behind
  });

  it("flushSync writes pending changes at once (exit handlers)", async () => {
    const writer = new JournalWriter(path, { minIntervalMs: 60_000 });
    await writer.load();
    writer.upsert(makeTrackedIncident(1));
    writer.flushSync();
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1"]);
    const writes = writer.getStats().writes;
    writer.flushSync(); // nothing pending: no write
    expect(writer.getStats().writes).toBe(writes);
  });

  it("flushSync during an async write leaves the newest content in place", async () => {
    const writer = new JournalWriter(path, { minIntervalMs: 0 });
    await writer.load();
    writer.upsert(makeTrackedIncident(1), true); // starts an async write
    writer.upsert(makeTrackedIncident(2));
    writer.flushSync();
    await writer.flush();
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1", "inc-2"]);
  });

  it("mirrors a manager's changes", async () => {
    const writer = new JournalWriter(path);
    await writer.load();
    const manager = new IncidentManager({ clock: new VirtualClock(T0) });
    const sub = writer.follow(manager.changes$);
    manager.handleEvent(makeEvent("full"), makeMatch(makeRule({ id: "disco_lleno" }), {}));
    manager.handleEvent(makeEvent("full"), makeMatch(makeRule({ id: "disco_lleno" }), {}));
    await writer.flush();
    sub.unsubscribe();
    const [only] = readJournal();
    expect(only).toMatchObject({ error_type: "disco_lleno", estado: "fallido", accion: "solo alerta", ocurrencias: 2 });
    expect(only!.posicion).toEqual({ fileId: "2049:1234", endOffset: expect.any(Number) });
  });

  it("writes the closed history of the next version ahead, beside the journal, and a change then only finishes it", async () => {
    const filler = "h".repeat(1000);
    const history = Array.from({ length: 100 }, (_, i) => ({
      id: `hist-${i}`,
      timestamp: new Date(T0 - 86_400_000 + i * 1000).toISOString(),
      estado: "solucionado",
      error_type: "ruta_inexistente",
      error_message: filler,
    }));
    writeFileSync(path, JSON.stringify(history, null, 2));
    const writer = new JournalWriter(path);
    await writer.load();
    const incident = makeTrackedIncident(1);
    writer.upsert(incident);
    await writer.flush();
    const temps = () => readdirSync(join(dir, "logs")).filter((n) => n.endsWith(".tmp"));
    // The settled beginning (the whole history, not the open incident) is on disk already, in the next version's file.
    expect(temps()).toHaveLength(1);
    const preparedPath = join(dir, "logs", temps()[0]!);
    const prepared = readFileSync(preparedPath, "utf8");
    expect(prepared).toContain('"hist-99"');
    expect(prepared).not.toContain('"inc-1"');
    expect(readFileSync(path, "utf8").startsWith(prepared)).toBe(true);
    const preparedInode = statSync(preparedPath).ino;

    writer.upsert(applyTransition(incident, "fallido", { accion: "solo alerta" }, T0 + 5000));
    await writer.flush();
    // That very file, finished with the changed incident, is the journal now.
    expect(statSync(path).ino).toBe(preparedInode);
    const journal = readJournal();
    expect(journal).toHaveLength(101);
    expect(journal[100]).toMatchObject({ id: "inc-1", estado: "fallido" });
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(journal, null, 2)}\n`);
    await writer.close();
    expect(temps()).toEqual([]);
  });

  it("reports a failed background write, retries it, and throws from flush", async () => {
    const errors: unknown[] = [];
    const blocked = join(dir, "not-a-dir");
    writeFileSync(blocked, "");
    const clock = new VirtualClock(T0);
    const writer = new JournalWriter(join(blocked, "j.json"), { minIntervalMs: 10, clock, onError: (e) => errors.push(e) });
    writer.upsert(makeTrackedIncident(1), true);
    await waitFor(() => errors.length >= 1, "the first failure");
    await clock.advanceToTimer(250); // the retry, 250 ms after a failure
    await waitFor(() => errors.length >= 2, "the retry's failure");
    await expect(writer.close()).rejects.toThrow(/EEXIST|ENOTDIR/);
    // No retries after close: nothing is left on the clock, and an hour later nothing more was tried.
    expect(clock.pendingTimers()).toBe(0);
    const seen = errors.length;
    await clock.advance(3_600_000);
    expect(errors).toHaveLength(seen);
  });
});

describe("loading an unusable journal", () => {
  const cases: Array<[string, string]> = [
    ["bad JSON", '[{"id": "a",'],
    ["not an array", '{"id": "a"}'],
    ["an element that is not an object", '[{"id": "a"}, 3]'],
    ["a null element", "[null]"],
  ];

  it.each(cases)("moves a journal with %s aside, byte for byte, and starts anew", async (_, content) => {
    const bytes = Buffer.concat([Buffer.from(content), Buffer.from([0xff, 0x00, 0x0a])]); // invalid UTF-8 too
    writeFileSync(path, bytes);
    const warnings: Array<{ movedTo: string; message: string }> = [];
    const writer = new JournalWriter(path, { onWarning: (w) => warnings.push(w) });
    const loaded = await writer.load();
    expect(loaded.elements).toEqual([]);
    expect(loaded.movedAsideTo).toMatch(/descarga_errors\.json\.corrupt-\d{8}-\d{6}$/);
    expect(readFileSync(loaded.movedAsideTo!).equals(bytes)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.movedTo).toBe(loaded.movedAsideTo);
    writer.upsert(makeTrackedIncident(1));
    await writer.flush();
    expect(readJournal().map((i) => i.id)).toEqual(["inc-1"]);
    expect(readFileSync(loaded.movedAsideTo!).equals(bytes)).toBe(true);
  });

  it("never replaces an earlier corrupt copy", async () => {
    const clock = new VirtualClock(T0); // both moved in the same second
    writeFileSync(path, "first garbage");
    const a = await loadJournal(path, { clock });
    writeFileSync(path, "second garbage");
    const b = await loadJournal(path, { clock });
    expect(b.movedAsideTo).toBe(`${a.movedAsideTo}-1`);
    expect(readFileSync(a.movedAsideTo!, "utf8")).toBe("first garbage");
    expect(readFileSync(b.movedAsideTo!, "utf8")).toBe("second garbage");
  });

  it("leaves the file alone for read-only users", async () => {
    writeFileSync(path, "garbage");
    const loaded = await loadJournal(path, { moveCorruptAside: false });
    expect(loaded.problem?.kind).toBe("invalid_json");
    expect(readFileSync(path, "utf8")).toBe("garbage");
  });

  it("treats a missing or blank journal as empty, and a folder in its place as an error", async () => {
    expect((await loadJournal(path)).elements).toEqual([]);
    writeFileSync(path, " \n");
    expect(await loadJournal(path)).toEqual({ elements: [], problem: null, movedAsideTo: null });
    rmSync(path);
    mkdirSync(path);
    await expect(loadJournal(path)).rejects.toBeInstanceOf(JournalReadError);
  });

  it("accepts a UTF-8 BOM", () => {
    expect(parseJournal('\uFEFF[{"a":1}]')).toEqual({ ok: true, elements: [{ a: 1 }] });
  });
});
