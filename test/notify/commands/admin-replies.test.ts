// The admin's replies and silences as units: every reply fits Telegram's 4096 characters whatever the journal holds,
// log values never become markup, and a silence file survives a restart (and a corrupt one is kept aside).
import { describe, expect, it } from "@jest/globals";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatEstado } from "../../../src/notify/commands/format-estado.js";
import { formatIncidentStory } from "../../../src/notify/commands/format-incident-story.js";
import { listIncidentButtons, parseButtonData } from "../../../src/notify/commands/incident-buttons.js";
import { parseCommand } from "../../../src/notify/commands/parse-command.js";
import { SilenceStore } from "../../../src/notify/commands/silence-store.js";
import type { TrackedIncident } from "../../../src/incidents/create-incident.js";
import type { HealthReport } from "../../../src/observe/health-report.js";
import { parseDurationMs } from "../../../src/util/parse-duration.js";
import { makeIncident, MISSING_PATH_LINE } from "../../helpers/make-incident.js";
import { useTempDirs } from "../../helpers/temp-dir.js";
import { VirtualClock } from "../../helpers/virtual-clock.js";

const makeTempDir = useTempDirs("vigia-silences-");

function makeTracked(over: Partial<TrackedIncident> = {}): TrackedIncident {
  return { ...makeIncident({ error_message: MISSING_PATH_LINE }), posicion: null, ...over } as TrackedIncident;
}

const HEALTH: HealthReport = {
  status: "ok",
  version: "0.1.0",
  uptime_s: 3720,
  sources: [{ name: "bot", path: "logs/bot_central.log", offset: 10, lag_bytes: 0, last_line_at: new Date(1_000_000).toISOString(), exists: true }],
  rules: { loaded: 6, files: 1, last_reload: null, last_error: null },
  incidents_open: {},
  checks: [{ check: "disk:/", ok: false, message: "1.2 GB free <critical>", motivo: "1.2 GB libres <crítico>", at: new Date(0).toISOString() }],
  notifier: { queued: 0, sent: 0, failed: 0, dropped: 0 },
};

describe("admin replies", () => {
  it("an incident's story keeps its head, escapes log values and fits 4096 characters however long its history", () => {
    const step = { estado: "reintentando" as const, timestamp: "2025-12-25T14:30:21.000+01:00", accion: "exec", intento: 1, detalle: `<b>salida</b> ${"x".repeat(600)}` };
    const story = formatIncidentStory(makeTracked({ id: "20251225-143020-ruta_inexistente-a3f2b1", transiciones: Array(300).fill(step) }));
    expect(story.length).toBeLessThanOrEqual(4096);
    expect(story).toContain("<b>Incidente</b> <code>20251225-143020-ruta_inexistente-a3f2b1</code>");
    expect(story).toContain("Error de ruta inexistente detectado");
    expect(story).toContain("14:30:21 reintentando · exec — &lt;b&gt;salida&lt;/b&gt;");
    expect(story).not.toContain("<b>salida");
    expect(story).toMatch(/\n… y \d+ más$/);
  });

  it("/estado fits 4096 characters with a thousand open incidents, and says how many it did not list", () => {
    const open = Array.from({ length: 1000 }, (_, i) => makeTracked({ id: `inc-${i}`, video: `${"v".repeat(200)}${i}.mp4` }));
    const text = formatEstado({ health: HEALTH, open, silences: [], nowMs: 1_005_000 });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toContain("<b>Incidentes abiertos</b>: 1000");
    expect(text).toContain("✅ bot <code>logs/bot_central.log</code>: última línea hace 5 s");
    expect(text).toContain("❌ disk:/ — <code>1.2 GB libres &lt;crítico&gt;</code>");
  });

  it("commands, durations and buttons are read as the admin types or presses them", () => {
    expect(parseCommand("/silenciar@vigia_bot permisos  1h")).toEqual({ name: "silenciar", args: ["permisos", "1h"] });
    expect(parseCommand("/ESTADO")).toEqual({ name: "estado", args: [] });
    expect(parseCommand("hola")).toBeNull();
    expect([parseDurationMs("30m"), parseDurationMs("30 min"), parseDurationMs("1,5h"), parseDurationMs("2d")]).toEqual([1_800_000, 1_800_000, 5_400_000, 172_800_000]);
    expect([parseDurationMs("0m"), parseDurationMs("1 semana"), parseDurationMs("-1h")]).toEqual([null, null, null]);

    const failed = makeTracked({ id: "20251225-143020-permisos-a3f2b1", error_type: "permisos", estado: "fallido" });
    const buttons = listIncidentButtons(failed);
    expect(buttons.map((b) => b.text)).toEqual(["🔁 Reintentar", "🔕 Silenciar 1 h"]);
    expect(buttons.map((b) => parseButtonData(b.data))).toEqual([
      { name: "reintentar", args: [failed.id] },
      { name: "silenciar", args: ["permisos", "1h"] },
    ]);
    expect(listIncidentButtons({ ...failed, estado: "reintentando" }).map((b) => b.text)).toEqual(["🔕 Silenciar 1 h"]);
    // Telegram refuses callback data over 64 bytes: such a button is left out, never cut into another id.
    const longType = "x".repeat(70);
    expect(listIncidentButtons({ ...failed, error_type: longType }).every((b) => Buffer.byteLength(b.data) <= 64)).toBe(true);
  });
});

describe("SilenceStore", () => {
  const makePath = (): string => join(makeTempDir(), "silencios.json");

  it("a silence holds across a reload until it expires; `todo` silences every type and the untyped alerts", async () => {
    const clock = new VirtualClock(Date.parse("2025-12-25T14:00:00Z"));
    const path = makePath();
    const first = new SilenceStore({ path, clock });
    await first.silence("permisos", 3_600_000);
    const second = new SilenceStore({ path, clock });
    await second.load();
    expect([second.isSilenced("permisos"), second.isSilenced("timeout"), second.isSilenced(null)]).toEqual([true, false, false]);
    clock.jump(3_600_000);
    expect(second.isSilenced("permisos")).toBe(false);

    await second.silence("todo", 60_000);
    expect([second.isSilenced("timeout"), second.isSilenced(null)]).toEqual([true, true]);
    expect(await second.activate("todo")).toEqual(["todo"]);
    expect(second.isSilenced("timeout")).toBe(false);
  });

  it("a malformed file is moved aside with a clear error, never overwritten by the next silence", async () => {
    const path = makePath();
    writeFileSync(path, "[{ roto");
    const store = new SilenceStore({ path });
    await expect(store.load()).rejects.toThrow(/silencios\.json: .*moved to .*silencios\.json\.corrupt-.*, no silence in force/);
    await store.silence("timeout", 60_000);
    const aside = readdirSync(join(path, "..")).filter((f) => f.includes(".corrupt-"));
    expect(aside).toHaveLength(1);
  });
});
