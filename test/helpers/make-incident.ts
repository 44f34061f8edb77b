/** Incidents as the incident manager produces them, and the missing-path rule they come from (test data only). */
import type { CompiledRule, Estado, Incident } from "../../src/types.js";
import { makeRule } from "./make-rule.js";

/** A real line from the bot's logs (copied from the shared corpus). */
export const MISSING_PATH_LINE =
  "2024-05-01 10:00:00,123 - bot - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v1.mp4'";

export const TRACEBACK = [
  "2024-08-02 13:21:53 - telegram.ext.Updater - ERROR - Exception happened while polling for updates.",
  "Traceback (most recent call last):",
  '  File "/usr/local/lib/python3.10/site-packages/httpx/_transports/default.py", line 69, in map_httpcore_exceptions',
  "    yield",
  "httpx.RemoteProtocolError: Server disconnected without sending a response.",
  "",
].join("\n");

/** The rule of the missing-path error the seed describes (`ruta_inexistente`, fixed by mkdir -p). */
export function makeMissingPathRule(overrides: Partial<CompiledRule> = {}): CompiledRule {
  return makeRule({
    id: "ruta_inexistente",
    match: /No such file or directory: '(?<path>[^']+)'/,
    keyTemplate: "{path}",
    actions: [{ type: "mkdir", path: "{path}" }],
    file: "rules/descargas.yaml",
    ...overrides,
  });
}

let counter = 0;

/** An incident of the missing-path rule, just detected; unique id and key. */
export function makeIncident(over: Partial<Incident> = {}): Incident {
  counter++;
  const base: Incident = {
    timestamp: "2024-05-01T10:00:00.123+00:00",
    modelo: "ana",
    video: "v1.mp4",
    error_type: "ruta_inexistente",
    error_message: MISSING_PATH_LINE,
    accion: null,
    estado: "detectado",
    intento: 0,
    max_intentos: 3,
    id: `inc-${counter}`,
    fuente: "bot",
    archivo: "logs/bot_central.log",
    severidad: "warning",
    campos: { path: "modelos/ana/v1.mp4", modelo: "ana", video: "v1.mp4" },
    ocurrencias: 1,
    ultima_ocurrencia: "2024-05-01T10:00:00.123+00:00",
    clave: `ruta_inexistente:modelos/ana/v1.mp4#${counter}`,
    transiciones: [{ estado: "detectado", timestamp: "2024-05-01T10:00:00.123+00:00", accion: null, intento: 0, detalle: null }],
    resuelto: null,
    duracion_ms: null,
  };
  return { ...base, ...over };
}

/** The incident after a state change, as a new object (the manager mutates its own; the notifier must not care). */
export function advance(incident: Incident, estado: Estado, over: Partial<Incident> = {}, detalle: string | null = null): Incident {
  const terminal = estado === "solucionado" || estado === "fallido";
  const next: Incident = {
    ...incident,
    estado,
    ...(terminal ? { resuelto: "2024-05-01T10:00:07.123+00:00", duracion_ms: 7000 } : {}),
    ...over,
  };
  next.transiciones = [
    ...incident.transiciones,
    { estado, timestamp: "2024-05-01T10:00:01+00:00", accion: next.accion, intento: next.intento, detalle },
  ];
  return next;
}
