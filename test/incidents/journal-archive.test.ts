import { beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appendToArchive } from "../../src/incidents/archive-append.js";
import { JournalWriter, type ArchiveEvent } from "../../src/incidents/journal-writer.js";
import { createIncident, type TrackedIncident } from "../../src/incidents/create-incident.js";
import { applyTransition } from "../../src/incidents/incident-state.js";
import { makeMatch, makeRule } from "../helpers/make-rule.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const DAY_MS = 86_400_000;
const NOW = Date.now();
let dir: string;
let path: string;

const newTempDir = useTempDirs("vigia-archive-");
beforeEach(() => {
  dir = newTempDir();
  path = join(dir, "logs", "descarga_errors.json");
  mkdirSync(join(dir, "logs"));
});

/** An incident detected at `atMs`, closed `solucionado` a minute later unless `open`. */
function makeTrackedIncident(n: number, atMs: number, open = false): TrackedIncident {
  const rule = makeRule({ id: "ruta_inexistente", actions: [{ type: "mkdir" }] });
  const created = createIncident(makeMatch(rule, { path: `modelos/m${n}` }), { nowMs: atMs, id: `inc-${n}`, defaultMaxIntentos: 3 });
  return open ? created : applyTransition(created, "solucionado", { accion: "mkdir -p" }, atMs + 60_000);
}

/** Every file a `jq -s add logs/descarga_errors*.json` reads, by name, parsed. */
function readAllJournalFiles(): Map<string, Array<Record<string, unknown>>> {
  const files = new Map<string, Array<Record<string, unknown>>>();
  for (const name of readdirSync(join(dir, "logs")).sort()) {
    if (/^descarga_errors.*\.json$/.test(name)) files.set(name, JSON.parse(readFileSync(join(dir, "logs", name), "utf8")));
  }
  return files;
}

function jqIds(): string[] {
  const out = execFileSync("/bin/sh", ["-c", "jq -s -r 'add | .[].id' descarga_errors*.json"], { cwd: join(dir, "logs"), encoding: "utf8" });
  return out.trim().split("\n").sort();
}

describe("JournalWriter archives", () => {
  it("moves incidents closed more than keep_days ago to the archive of their close month, and keeps the open ones", async () => {
    const ms = (iso: string) => Date.parse(iso);
    const old = [
      makeTrackedIncident(1, ms("2025-10-03T10:00:00+01:00")),
      makeTrackedIncident(2, ms("2025-11-20T10:00:00+01:00")),
      makeTrackedIncident(3, ms("2025-11-21T10:00:00+01:00")),
    ];
    const stillOpen = makeTrackedIncident(4, ms("2025-10-05T10:00:00+01:00"), true);
    const recent = makeTrackedIncident(5, NOW - 2 * DAY_MS);
    writeFileSync(path, JSON.stringify([old[0], stillOpen, old[1], old[2], recent], null, 2));
    const events: ArchiveEvent[] = [];
    const writer = new JournalWriter(path, { archive: { keepMs: 30 * DAY_MS, maxBytes: null }, onArchive: (e) => events.push(e) });
    await writer.load();
    writer.upsert(makeTrackedIncident(6, NOW, true));
    await writer.flush();

    const files = readAllJournalFiles();
    expect([...files.keys()]).toEqual(["descarga_errors-2025-10.json", "descarga_errors-2025-11.json", "descarga_errors.json"]);
    expect(files.get("descarga_errors-2025-10.json")).toEqual([old[0]]);
    expect(files.get("descarga_errors-2025-11.json")).toEqual([old[1], old[2]]);
    expect(files.get("descarga_errors.json")!.map((e) => e.id)).toEqual(["inc-4", "inc-5", "inc-6"]);
    // Same element format as the live file: the archive is what JSON.stringify(array, null, 2) gives.
    expect(readFileSync(join(dir, "logs", "descarga_errors-2025-11.json"), "utf8")).toBe(`${JSON.stringify([old[1], old[2]], null, 2)}\n`);
    expect(jqIds()).toEqual(["inc-1", "inc-2", "inc-3", "inc-4", "inc-5", "inc-6"]);
    expect(events.map((e) => e.kind)).toEqual(["archiving", "archived"]);
    expect(existsSync(join(dir, "logs", ".descarga_errors.json.archiving"))).toBe(false);

    await writer.close();

    // The next run's move appends to the month's archive.
    const later = makeTrackedIncident(7, ms("2025-11-25T10:00:00+01:00"));
    writeFileSync(path, JSON.stringify([...files.get("descarga_errors.json")!, later]));
    const next = new JournalWriter(path, { archive: { keepMs: 30 * DAY_MS, maxBytes: null } });
    await next.load();
    next.upsert(makeTrackedIncident(8, NOW, true));
    await next.close();
    expect(readAllJournalFiles().get("descarga_errors-2025-11.json")!.map((e) => e.id)).toEqual(["inc-2", "inc-3", "inc-7"]);
  });

  it("keeps the live file under max_bytes by moving the oldest closed incidents, never one the manager still holds", async () => {
    const held = new Set<string>();
    const writer = new JournalWriter(path, { archive: { keepMs: 30 * DAY_MS, maxBytes: 65_536 }, isHeld: (id) => held.has(id) });
    await writer.load();
    for (let n = 0; n < 200; n++) {
      const incident = makeTrackedIncident(n, NOW - 3 * DAY_MS + n * 1000, n % 10 === 0);
      incident.error_message = `${"x".repeat(600)} ${n}`;
      if (n < 5) held.add(incident.id); // closed but in its cooldown
      writer.upsert(incident);
    }
    await writer.flush();
    const live = readAllJournalFiles().get("descarga_errors.json")!;
    expect(readFileSync(path).length).toBeLessThanOrEqual(65_536);
    const liveIds = new Set(live.map((e) => e.id));
    for (let n = 0; n < 200; n += 10) expect(liveIds.has(`inc-${n}`)).toBe(true); // open: never moved
    for (let n = 1; n < 5; n++) expect(liveIds.has(`inc-${n}`)).toBe(true); // held
    expect(liveIds.has("inc-5")).toBe(false); // the oldest closed and free one went first
    expect(jqIds()).toHaveLength(200);
    expect(new Set(jqIds()).size).toBe(200);
    await writer.close();
  });

  it("after a kill between the archive write and the live write, the next start drops the live copies (the archive wins)", async () => {
    const moved = [makeTrackedIncident(1, Date.parse("2025-09-10T08:00:00+02:00")), makeTrackedIncident(2, Date.parse("2025-09-11T08:00:00+02:00"))];
    const notMoved = makeTrackedIncident(3, Date.parse("2025-09-12T08:00:00+02:00"));
    const open = makeTrackedIncident(4, NOW, true);
    // The state a kill leaves: intent on disk, the archive already holding 1 and 2, the live file still all four.
    writeFileSync(join(dir, "logs", "descarga_errors-2025-09.json"), `${JSON.stringify(moved, null, 2)}\n`);
    writeFileSync(path, `${JSON.stringify([...moved, notMoved, open], null, 2)}\n`);
    writeFileSync(join(dir, "logs", ".descarga_errors.json.archiving"), JSON.stringify({ version: 1, files: ["descarga_errors-2025-09.json"], ids: ["inc-1", "inc-2", "inc-3"] }));
    const events: ArchiveEvent[] = [];
    const writer = new JournalWriter(path, { onArchive: (e) => events.push(e) });
    const loaded = await writer.load();
    expect(loaded.elements.map((e) => e.id)).toEqual(["inc-3", "inc-4"]);
    expect(readAllJournalFiles().get("descarga_errors.json")!.map((e) => e.id)).toEqual(["inc-3", "inc-4"]);
    expect(jqIds()).toEqual(["inc-1", "inc-2", "inc-3", "inc-4"]);
    expect(existsSync(join(dir, "logs", ".descarga_errors.json.archiving"))).toBe(false);
    expect(events).toEqual([expect.objectContaining({ kind: "recovered", dropped: 2 })]);
  });

  it("never appends to an archive that is not a JSON array: the incidents stay live and the failure is reported", async () => {
    const archive = join(dir, "logs", "descarga_errors-2025-08.json");
    writeFileSync(archive, "hand-edited notes\n");
    const old = makeTrackedIncident(1, Date.parse("2025-08-01T08:00:00+02:00"));
    writeFileSync(path, JSON.stringify([old]));
    const events: ArchiveEvent[] = [];
    const writer = new JournalWriter(path, { archive: { keepMs: DAY_MS, maxBytes: null }, onArchive: (e) => events.push(e) });
    await writer.load();
    writer.upsert(makeTrackedIncident(2, NOW, true));
    await writer.flush();
    expect(readFileSync(archive, "utf8")).toBe("hand-edited notes\n");
    expect(JSON.parse(readFileSync(path, "utf8")).map((e: { id: string }) => e.id)).toEqual(["inc-1", "inc-2"]);
    expect(events.map((e) => e.kind)).toEqual(["archiving", "archive_failed"]);
    expect(events[1]!.message).toMatch(/does not end with '\]'/);
    await writer.close();
  });
});

describe("appendToArchive", () => {
  const elements = [{ id: "a", n: 1, txt: "ñandú\nlínea" }, { id: "b", n: [1, 2] }, { id: "c", n: null }, { id: "d", n: {} }];
  /** An element's bytes as the live journal caches them (indented as inside the whole array when pretty). */
  const part = (el: unknown, pretty: boolean): Buffer => {
    if (!pretty) return Buffer.from(JSON.stringify(el));
    return Buffer.from(`  ${JSON.stringify(el, null, 2).replaceAll("\n", "\n  ")}`);
  };

  for (const pretty of [true, false]) {
    it(`writes the same bytes as the whole array ${pretty ? "pretty-printed" : "on one line"}: new, appended to, and after an empty one`, async () => {
      const whole = (els: unknown[]) => `${pretty ? JSON.stringify(els, null, 2) : JSON.stringify(els)}\n`;
      const path = join(dir, "logs", "descarga_errors-2025-11.json");
      await appendToArchive(path, elements.slice(0, 1).map((el) => part(el, pretty)), { pretty });
      expect(readFileSync(path, "utf8")).toBe(whole(elements.slice(0, 1)));
      await appendToArchive(path, elements.slice(1).map((el) => part(el, pretty)), { pretty });
      expect(readFileSync(path, "utf8")).toBe(whole(elements));
      const emptyPath = join(dir, "logs", "descarga_errors-2025-10.json");
      writeFileSync(emptyPath, pretty ? "[]\n" : "[]");
      await appendToArchive(emptyPath, elements.map((el) => part(el, pretty)), { pretty });
      expect(readFileSync(emptyPath, "utf8")).toBe(whole(elements));
    });
  }
});
