/**
 * The seed system's detection table ("Tipos de Errores Soportados": one regex per error type), run through
 * the real `vigia test-rules --json`: every real error its patterns catch, the shipped rules catch too, as
 * the same error type and with the file or folder the message names. The seed's patterns were broad
 * (`chmod|chown`, `invalid.*file`) and also caught harmless lines: those must stay unclaimed.
 * The seed's bot and its team speak Spanish, and so do its logs and a Spanish locale's tools (glibc's "No queda
 * espacio en el dispositivo"): the same errors in their Spanish wordings are claimed too, and the bot's Spanish
 * routine lines are not.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BASE_CONFIG_YAML, cleanUpAll, createWorkspace, runVigia, type Workspace } from "../e2e/vigia-harness.js";

/** The seed's table, verbatim (matched case-insensitively, as its Python monitor did). */
const SEED_PATTERNS: Record<string, RegExp> = {
  timeout: /timeout|timed out|connection.*timeout/i,
  permisos: /permission denied|chmod|chown/i,
  corrupto: /corrupt|invalid.*file|broken.*video/i,
  ruta_inexistente: /no such file|directory.*not found/i,
  disco_lleno: /no space left|disk.*full/i,
  servidor_caido: /connection refused|bot api.*down/i,
};

const T = "2025-12-25 14:30:20,118 - bot - ERROR - ";
const V = "modelos/ana/20251225_143020_a3f2b1.mp4";
const VIDEO_FIELDS = { path: V, modelo: "ana", video: "20251225_143020_a3f2b1.mp4" };

/** [log line, rule that must claim it, fields it must capture]. Every line is one event. */
const TRUE_POSITIVES: Array<[string, string, Record<string, string>]> = [
  [`${T}Download timeout for ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}connection timeout to api.telegram.org:443`, "timeout", {}],
  [`${T}Connection timeout`, "timeout", {}],
  [`TIMEOUT descargando ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Timeout while downloading ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Timeout de descarga: ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Download of ${V} timed out after 30 s`, "timeout", VIDEO_FIELDS],
  [`${T}chmod failed: ${V}`, "permisos", VIDEO_FIELDS],
  [`${T}chown failed for modelos/pedro`, "permisos", { path: "modelos/pedro", modelo: "pedro" }],
  [`chmod: changing permissions of '${V}': Operation not permitted`, "permisos", VIDEO_FIELDS],
  [`chown: cannot read directory 'modelos/pedro': Permission denied`, "permisos", { path: "modelos/pedro", modelo: "pedro" }],
  [`${T}Permission denied`, "permisos", {}],
  [`${T}Corrupt file: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}Video corrupto ${V}: moov atom not found`, "corrupto", VIDEO_FIELDS],
  [`${T}Invalid video file ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}Broken video: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}Archivo corrupto: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}File is corrupt: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}No such file or directory: '${V}'`, "ruta_inexistente", { ...VIDEO_FIELDS, dir: "modelos/ana" }],
  [`${T}directory modelos/ana not found`, "ruta_inexistente", { path: "modelos/ana", dir: "modelos/ana", modelo: "ana" }],
  [`${T}Directory not found: modelos/ana`, "ruta_inexistente", { path: "modelos/ana", dir: "modelos/ana", modelo: "ana" }],
  [`${T}Output directory 'modelos/luis' not found`, "ruta_inexistente", { path: "modelos/luis", dir: "modelos/luis", modelo: "luis" }],
  [`${T}No space left on device`, "disco_lleno", {}],
  [`${T}Disk full while writing ${V}`, "disco_lleno", VIDEO_FIELDS],
  [`${T}disk is full`, "disco_lleno", {}],
  [`${T}Connection refused`, "servidor_caido", {}],
  [`${T}[Errno 111] Connection refused`, "servidor_caido", {}],
  [`curl: (7) Failed to connect to localhost port 8081 after 0 ms: Connection refused`, "servidor_caido", {}],
  [`${T}bot api server down`, "servidor_caido", {}],
  [`${T}Local Bot API is down, waiting`, "servidor_caido", {}],
];

/** Lines the seed's patterns also matched, that are no error of theirs: no rule may claim them. */
const SEED_FALSE_POSITIVES = [
  "2025-12-25 14:29:59,000 - bot - INFO - Config: read_timeout=30 write_timeout=30 connect_timeout=10",
  "2025-12-25 14:29:59,001 - bot - INFO - Timeout set to 30s for downloads",
  "[2024-01-09 13:24:40 +0000] [7310] [INFO] timeout: 30",
  "+ chown -R abc:abc /config",
  "2025-12-25 14:30:00,000 - bot - INFO - chmod 644 aplicado a modelos/ana/20251225_143020_a3f2b1.mp4",
  "2025-12-25 14:36:01,000 - bot - INFO - Integridad verificada: modelos/ana/20251225_143020_a3f2b1.mp4 (no corrupto)",
  "corrupted size vs. prev_size",
  "2025-12-25 14:41:00,000 - bot - INFO - Espacio libre: 12.3 GB (disk is not full)",
  "2025-12-25 14:41:02,000 - bot - INFO - Bot API server started, no longer down",
];

/** The same errors as a Spanish-speaking bot and the Spanish locale's tools (coreutils, glibc's strerror) word them. */
const SPANISH_TRUE_POSITIVES: Array<[string, string, Record<string, string>]> = [
  [`${T}Timeout al descargar ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Error de timeout descargando ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Timeout en la descarga de ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Tiempo de espera agotado al descargar ${V}`, "timeout", VIDEO_FIELDS],
  [`${T}Se agotó el tiempo de espera de la conexión con api.telegram.org`, "timeout", {}],
  [`${T}Permiso denegado: '${V}'`, "permisos", VIDEO_FIELDS],
  [`mkdir: no se puede crear el directorio «modelos/ana»: Permiso denegado`, "permisos", { path: "modelos/ana", modelo: "ana" }],
  [`chown: cambiando el propietario de '${V}': Operación no permitida`, "permisos", VIDEO_FIELDS],
  [`${T}Sin permisos de escritura en modelos/ana`, "permisos", { path: "modelos/ana", modelo: "ana" }],
  [`${T}Acceso denegado a modelos/pedro`, "permisos", { path: "modelos/pedro", modelo: "pedro" }],
  [`${T}Archivo dañado: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}Video dañado ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}El video está corrupto: ${V}`, "corrupto", VIDEO_FIELDS],
  [`${T}No existe la carpeta modelos/ana`, "ruta_inexistente", { path: "modelos/ana", dir: "modelos/ana", modelo: "ana" }],
  [`${T}La carpeta modelos/pedro no existe`, "ruta_inexistente", { path: "modelos/pedro", dir: "modelos/pedro", modelo: "pedro" }],
  [`${T}Directorio no encontrado: modelos/luis`, "ruta_inexistente", { path: "modelos/luis", dir: "modelos/luis", modelo: "luis" }],
  [`cp: no se puede efectuar 'stat' sobre '${V}': No existe el fichero o el directorio`, "ruta_inexistente", { ...VIDEO_FIELDS, dir: "modelos/ana" }],
  [`${T}[Errno 2] No existe el archivo o el directorio: '${V}'`, "ruta_inexistente", { ...VIDEO_FIELDS, dir: "modelos/ana" }],
  [`${T}No queda espacio en el dispositivo`, "disco_lleno", {}],
  [`cp: error al escribir '${V}': No queda espacio en el dispositivo`, "disco_lleno", VIDEO_FIELDS],
  [`${T}Espacio insuficiente en disco para ${V}`, "disco_lleno", VIDEO_FIELDS],
  [`${T}Sin espacio en disco al guardar ${V}`, "disco_lleno", VIDEO_FIELDS],
  [`${T}Conexión rechazada`, "servidor_caido", {}],
  [`${T}[Errno 111] Conexión rehusada`, "servidor_caido", {}],
  [`${T}El servidor local de Bot API no responde`, "servidor_caido", {}],
  [`${T}Bot API caída, esperando`, "servidor_caido", {}],
  [`${T}Bot API local no disponible`, "servidor_caido", {}],
];

/** The Spanish bot's routine lines, near the words above: no rule may claim them. */
const SPANISH_ROUTINE = [
  `2025-12-25 14:31:02,118 - bot - INFO - Descarga exitosa: ${V}`,
  "2025-12-25 14:31:02,119 - bot - INFO - Carpeta creada: modelos/ana",
  "2025-12-25 14:31:02,120 - bot - INFO - Permisos corregidos en modelos/ana",
  "2025-12-25 14:31:02,121 - bot - INFO - Espacio libre en disco: 12.3 GB",
  "2025-12-25 14:31:02,122 - bot - INFO - Conexión con la Bot API restablecida",
  "2025-12-25 14:31:02,123 - bot - INFO - Bot API local disponible en http://localhost:8081",
  `2025-12-25 14:31:02,124 - bot - INFO - Video no corrupto: ${V}`,
  "2025-12-25 14:31:02,125 - bot - INFO - Timeout configurado: 30 s",
  "2025-12-25 14:31:02,126 - bot - INFO - Tiempo de espera: 30 s",
  `2025-12-25 14:31:02,127 - bot - INFO - Reintentando descarga de ${V} (intento 2/3)`,
];

const CONFIG = ["sources:", "  - { name: bot, path: logs/bot.log }", BASE_CONFIG_YAML].join("\n");

interface TestRulesJson {
  lines: number;
  events: number;
  counts: Record<string, number>;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
}

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace({ config: CONFIG, scope: "file" });
});
afterAll(cleanUpAll);

async function testRules(lines: readonly string[]): Promise<TestRulesJson> {
  ws.write("logs/input.log", `${lines.join("\n")}\n`);
  const r = await runVigia(ws.dir, ["test-rules", "logs/input.log", "--json"], { timeoutMs: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as TestRulesJson;
}

describe("the seed's detection table, through vigia test-rules --json", () => {
  it("every sample line is a true positive of the seed's own pattern for its type", () => {
    for (const [line, rule] of TRUE_POSITIVES) expect([line, SEED_PATTERNS[rule]!.test(line)]).toEqual([line, true]);
  });

  it("claims every error the seed's table catches, as the same type, with the path it names", async () => {
    const report = await testRules(TRUE_POSITIVES.map(([line]) => line));
    expect(report.events).toBe(TRUE_POSITIVES.length);
    const got = TRUE_POSITIVES.map(([line], i) => {
      const m = report.matches.find((x) => x.line === i + 1);
      return [line, m?.rule ?? null, m?.fields ?? null];
    });
    expect(got).toEqual(TRUE_POSITIVES);
  }, 150_000);

  it("leaves unclaimed the harmless lines the seed's broad patterns also caught", async () => {
    for (const line of SEED_FALSE_POSITIVES) {
      expect([line, Object.values(SEED_PATTERNS).some((p) => p.test(line))]).toEqual([line, true]);
    }
    const report = await testRules(SEED_FALSE_POSITIVES);
    expect(report.events).toBe(SEED_FALSE_POSITIVES.length);
    expect(report.matches.map((m) => SEED_FALSE_POSITIVES[m.line - 1])).toEqual([]);
  }, 150_000);
});

describe("a Spanish-speaking bot's own wordings, through vigia test-rules --json", () => {
  it("claims each error in its Spanish wording, as the same type, with the path it names", async () => {
    const report = await testRules(SPANISH_TRUE_POSITIVES.map(([line]) => line));
    expect(report.events).toBe(SPANISH_TRUE_POSITIVES.length);
    const got = SPANISH_TRUE_POSITIVES.map(([line], i) => {
      const m = report.matches.find((x) => x.line === i + 1);
      return [line, m?.rule ?? null, m?.fields ?? null];
    });
    expect(got).toEqual(SPANISH_TRUE_POSITIVES);
  }, 150_000);

  it("leaves the bot's Spanish routine lines unclaimed", async () => {
    const report = await testRules(SPANISH_ROUTINE);
    expect(report.events).toBe(SPANISH_ROUTINE.length);
    expect(report.matches.map((m) => SPANISH_ROUTINE[m.line - 1])).toEqual([]);
  }, 150_000);
});
