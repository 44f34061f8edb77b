/** Builders for incidents and rules as the incident manager and rule compiler produce them (test data only). */
import type { CompiledRule, Estado, Incident } from "../../src/types.js";

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

export function makeRule(over: Partial<CompiledRule> = {}): CompiledRule {
  return {
    id: "ruta_inexistente",
    match: /No such file or directory: '(?<path>[^']+)'/,
    exclude: [],
    sources: null,
    severity: "warning",
    keyTemplate: "{path}",
    cooldownMs: 60_000,
    threshold: null,
    dependsOn: [],
    extract: [],
    actions: [{ type: "mkdir", path: "{path}" }],
    verify: null,
    resolveOn: null,
    retries: null,
    backoffMs: null,
    notify: "on_failure",
    notifyTemplate: null,
    file: "rules/descargas.yaml",
    line: 1,
    ...over,
  };
}

let counter = 0;

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

/** A logger that keeps every line (message + JSON meta) for assertions. */
export function captureLogger(): { lines: string[]; logger: import("../../src/notify/notify-logger.js").NotifyLogger } {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, meta?: object): void => {
      lines.push(`${level}: ${message}${meta ? ` ${JSON.stringify(meta)}` : ""}`);
    };
  return { lines, logger: { info: write("info"), warn: write("warn"), error: write("error"), debug: write("debug") } };
}
