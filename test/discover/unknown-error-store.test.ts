import { describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { maskVariableParts } from "../../src/discover/mask-template.js";
import { UnknownErrorStore, type NewErrorAlert } from "../../src/discover/unknown-error-store.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const newTempDir = useTempDirs("vigia-discover-");


function makeStore(options: { maxTemplates?: number; alertAfter?: number } = {}) {
  const dir = newTempDir();
  const alerts: NewErrorAlert[] = [];
  const errors: unknown[] = [];
  const path = join(dir, "desconocidos.json");
  const store = new UnknownErrorStore({
    path,
    alertAfter: options.alertAfter ?? 5,
    alertWithinMs: 600_000,
    maxTemplates: options.maxTemplates,
    writeDelayMs: 0,
    onAlert: (a) => alerts.push(a),
    onError: (e) => errors.push(e),
  });
  return { store, alerts, errors, path };
}

const TRACEBACK = [
  "2025-12-25 14:30:20,131 - bot_central - ERROR - Error inesperado en la descarga",
  "Traceback (most recent call last):",
  '  File "/app/main.py", line 120, in descargar',
  "    await enviar(video)",
  "telegram.error.TimedOut: Timed out after 30.5 s",
].join("\n");

describe("masking the variable parts of an error line", () => {
  it.each([
    ["2025-12-25 14:30:20,118 - bot - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/x.mp4'", "<TS> - bot - ERROR - FileNotFoundError: [Errno <NUM>] No such file or directory: '<PATH>'"],
    ["2025-12-25 14:30:00,000 - bot - ERROR - ValueError: cuota de Telegram agotada para modelo ana", "<TS> - bot - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>"],
    ["[h264 @ 0xb069400] Invalid NAL unit size (556795136 > 367).", "[h264 @ <HEX>] Invalid NAL unit size (<NUM> > <NUM>)."],
    ['CRITICAL clave "abc def" rechazada id 3fa85f6457174562b3fc2c963f66afa6 en 20251225_143020_a3f2b1.mp4', "CRITICAL clave <STR> rechazada id <HEX> en <VIDEO>"],
  ])("%s", (line, template) => {
    expect(maskVariableParts(line)).toBe(template);
  });
});

describe("UnknownErrorStore", () => {
  it("groups a traceback by its first and last line, ignores INFO lines, widens differing words into <*>", async () => {
    const { store, path } = makeStore();
    expect(store.observe({ source: "bot", text: "2025-12-25 14:30:20,131 - bot - INFO - Descarga iniciada", atMs: 0 })).toBe(false);
    store.observe({ source: "bot", text: TRACEBACK, atMs: 1000 });
    store.observe({ source: "bot", text: TRACEBACK.replace("30.5", "12"), atMs: 2000 });
    store.observe({ source: "bot", text: "2025-12-25 14:30:21,000 - bot - ERROR - Fallo al enviar lote", atMs: 3000 });
    store.observe({ source: "backend", text: "2025-12-25 14:30:22,000 - bot - ERROR - Fallo al subir lote", atMs: 4000 });
    await store.flush();
    const stored = JSON.parse(readFileSync(path, "utf8")) as Array<{ plantilla: string; total: number; fuentes: string[]; primera_vez: string }>;
    expect(stored.map((t) => [t.plantilla, t.total, t.fuentes])).toEqual([
      ["<TS> - bot_central - ERROR - Error inesperado en la descarga\ntelegram.error.TimedOut: Timed out after <NUM> s", 2, ["bot"]],
      ["<TS> - bot - ERROR - Fallo al <*> lote", 2, ["bot", "backend"]],
    ]);
    expect(stored[0]!.primera_vez).toBe("1970-01-01T00:00:01.000Z");
  });

  it("alerts once per template when it reaches the count within the window", () => {
    const { store, alerts } = makeStore({ alertAfter: 3 });
    const line = (n: number) => `2025-12-25 14:30:2${n},000 - bot - ERROR - cuota agotada ${n}`;
    store.observe({ source: "bot", text: line(1), atMs: 0 });
    store.observe({ source: "bot", text: line(2), atMs: 700_000 }); // the first fell out of the 10 min window
    store.observe({ source: "bot", text: line(3), atMs: 700_001 });
    expect(alerts).toHaveLength(0);
    store.observe({ source: "bot", text: line(4), atMs: 700_002 });
    store.observe({ source: "bot", text: line(5), atMs: 700_003 });
    expect(alerts.map((a) => [a.count, a.template.total])).toEqual([[3, 4]]);
  });

  it("counts a flood of one template long after its alert at a steady pace (the alert window keeps no history)", async () => {
    const { store, alerts, path } = makeStore();
    // Every occurrence within the 10 min window: a burst read during a catch-up. Holding each time seen would make
    // every observation scan all the earlier ones, and this loop would not end within the test's hang guard (it
    // yields now and then so that the guard can fire).
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      store.observe({ source: "bot", text: `2025-12-25 14:30:20,000 - bot - ERROR - cuota agotada ${i}`, atMs: 1000 + i });
      if (i % 1000 === 0) await new Promise(setImmediate);
    }
    await store.flush();
    expect(alerts).toHaveLength(1);
    expect((JSON.parse(readFileSync(path, "utf8")) as Array<{ total: number }>)[0]!.total).toBe(n);
  });

  it("keeps samples small: a huge traceback is kept by its first and last lines, within 16 KiB", async () => {
    const { store, path } = makeStore();
    const frames = Array.from({ length: 190 }, (_, i) => `  File "/app/modulo_${i}.py", line ${i}, in paso\n    ${"x = y; ".repeat(180)}`);
    const lines = TRACEBACK.split("\n");
    const huge = [lines[0], lines[1], ...frames, lines.at(-1)].join("\n");
    expect(huge.length).toBeGreaterThan(200_000);
    store.observe({ source: "bot", text: huge, atMs: 1000 });
    await store.flush();
    const [stored] = JSON.parse(readFileSync(path, "utf8")) as Array<{ ejemplos: string[] }>;
    const sample = stored!.ejemplos[0]!;
    expect(sample.length).toBeLessThanOrEqual(16 * 1024);
    expect(sample.startsWith(`${lines[0]}\n${lines[1]}\n`)).toBe(true);
    expect(sample.endsWith(`\n${lines.at(-1)}`)).toBe(true);
  });

  it("keeps at most maxTemplates, dropping the one seen least recently, and reloads the file", async () => {
    const { store, path } = makeStore({ maxTemplates: 2 });
    store.observe({ source: "bot", text: "ERROR uno", atMs: 1000 });
    store.observe({ source: "bot", text: "ERROR dos dos", atMs: 2000 });
    store.observe({ source: "bot", text: "ERROR tres tres tres", atMs: 3000 });
    await store.flush();
    const again = new UnknownErrorStore({ path, alertAfter: 5, alertWithinMs: 1, onAlert: () => undefined, onError: (e) => { throw e; } });
    await again.load();
    expect(again.list().map((t) => t.plantilla).sort()).toEqual(["ERROR dos dos", "ERROR tres tres tres"]);
  });

  it("reports a corrupt file and starts empty instead of failing", async () => {
    const { store, errors, path } = makeStore();
    writeFileSync(path, "[{ not json");
    await store.load();
    expect(store.list()).toEqual([]);
    expect(String(errors[0])).toMatch(/JSON/);
  });
});
