/**
 * The types that cross stage boundaries. Data flows one way:
 * SourceLine[] → LogEvent[] → MatchedBatch (events with their rule matches) → Incident → (actions, journal, notifications).
 * A stage imports the types it receives and emits from here, and nothing from other stages' internals.
 */

/** One line read from a source (file tailer, child process, stdin). */
export interface SourceLine {
  /** Source name from the config (`bot`, `backend`); becomes the journal's `fuente`. */
  source: string;
  /** Path of the file the line was read from (as configured), or a pseudo-name (`<stdin>`, `<child:bot>`). */
  file: string;
  /** The line without its terminator (LF or CRLF), decoded as UTF-8; cut to `maxLineBytes` when longer. */
  text: string;
  /** Byte offset of the line's first byte in the file; -1 for non-file sources. */
  offset: number;
  /** Byte offset just past the line's terminator; -1 for non-file sources. */
  endOffset: number;
  /** Identity of the file the line came from (`dev:ino`), so offsets of different files are never compared. */
  fileId: string;
  /** Set when the line was longer than `maxLineBytes`: how many bytes were dropped. */
  truncatedBytes?: number;
  /** Wall-clock time the line was read (ms since epoch). */
  readAtMs: number;
}

/** One event: a line, or a start line plus its continuation lines (a Python traceback). */
export interface LogEvent {
  source: string;
  file: string;
  fileId: string;
  /** All the event's lines joined with "\n". */
  text: string;
  lineCount: number;
  /** Offset of the first line (for checkpoints: nothing before it is pending). */
  offset: number;
  /** Offset just past the last line. */
  endOffset: number;
  /** Time the first line was read (ms since epoch). */
  readAtMs: number;
}

export type Severity = "info" | "warning" | "critical";
export type NotifyPolicy = "never" | "on_failure" | "always";

/** The journal's states, in Spanish as operators' scripts expect them. */
export type Estado = "detectado" | "pendiente" | "reintentando" | "solucionado" | "fallido";
/** Every estado, in the order an incident goes through them. */
export const ESTADOS: readonly Estado[] = ["detectado", "pendiente", "reintentando", "solucionado", "fallido"];
export const TERMINAL_STATES: readonly Estado[] = ["solucionado", "fallido"];

/** An action as written in a rule file (validated by the rule schema); string values may hold `{field}` templates. */
export interface ActionSpec {
  type: "mkdir" | "chown" | "cleanup" | "prune" | "exec" | "wait";
  [option: string]: unknown;
}

/** A verification as written in a rule file; string values may hold `{field}` templates. */
export interface VerifySpec {
  type: "path_exists" | "path_writable" | "file_absent" | "file_min_size" | "http_ok" | "http_up" | "disk_free" | "exec_ok";
  [option: string]: unknown;
}

/** A rule after validation and compilation; regexes are compiled once at load time. */
export interface CompiledRule {
  id: string;
  description?: string;
  match: RegExp;
  exclude: RegExp[];
  /** null = every source. */
  sources: ReadonlySet<string> | null;
  severity: Severity;
  /** Correlation key template; null = rule id + all captures. */
  keyTemplate: string | null;
  cooldownMs: number;
  threshold: { count: number; withinMs: number } | null;
  dependsOn: string[];
  extract: RegExp[];
  actions: ActionSpec[];
  verify: VerifySpec | null;
  /** Template of a regex; fields are regex-escaped before substitution. */
  resolveOn: string | null;
  retries: number | null;
  backoffMs: number[] | null;
  notify: NotifyPolicy;
  notifyTemplate: string | null;
  /**
   * Set on the rules vigia builds for periodic checks: the incident stays open until the check reports
   * recovery (the engine closes it), instead of closing as "solo alerta" when there is nothing to run.
   */
  closedExternally?: boolean;
  /** Where the rule was declared, for messages. */
  file: string;
  line: number;
}

/** A rule's match on one event. */
export interface RuleMatch {
  rule: CompiledRule;
  event: LogEvent;
  /** Named captures of `match` and `extract`, undefined groups left out. */
  fields: Record<string, string>;
  /** The correlation key: the rule's key template filled in, prefixed by the rule id. */
  key: string;
}

/**
 * A batch of events and the rule matches among them, in event order, at most one match per event: what the rules
 * stage hands the incidents stage. `events` may hold fewer events than were matched (only the ones downstream needs:
 * the matched ones, unknown-error candidates, `resolve_on` candidates, the batch's last); `eventCount` counts them all.
 */
export interface MatchedBatch {
  events: LogEvent[];
  matches: RuleMatch[];
  /** Events in the batch as submitted for matching. */
  eventCount: number;
}

/** One transition in an incident's life. */
export interface Transicion {
  estado: Estado;
  timestamp: string;
  accion: string | null;
  intento: number;
  detalle: string | null;
}

/**
 * One incident as stored in the journal (`logs/descarga_errors.json`). Field names are the contract:
 * operators' jq scripts depend on them. Seed fields first, then vigia's.
 */
export interface Incident {
  timestamp: string;
  modelo: string | null;
  video: string | null;
  error_type: string;
  error_message: string;
  accion: string | null;
  estado: Estado;
  intento: number;
  max_intentos: number;
  id: string;
  fuente: string;
  archivo: string;
  severidad: Severity;
  campos: Record<string, string>;
  ocurrencias: number;
  /** ISO time of the last folded match. */
  ultima_ocurrencia: string;
  /** Correlation key. */
  clave: string;
  transiciones: Transicion[];
  resuelto: string | null;
  duracion_ms: number | null;
}

/** What a periodic check reports each time it runs. */
export interface CheckResult {
  /** `disk:/`, `http:backend`, `bot_api`, `process:bot`, `silence:bot`, `exec:docker`, `vigia:journal`. */
  check: string;
  /** `vigia`: a fault of vigia itself (journal unwritable, rule disabled), reported like a failed check. */
  kind: "disk" | "http" | "bot_api" | "process" | "silence" | "exec" | "vigia";
  ok: boolean;
  severity: Severity;
  /** Rule id the failure maps to: `disco_lleno`, `servidor_caido`, `servicio_caido`, `proceso_caido`, `log_silencioso`. */
  errorType: string;
  /** The reason or recovery note for the operator, in English (monitor.log, /health, `vigia status`): "refused (3 ms)". */
  message: string;
  /** The same for the admin, in Spanish (the journal, Telegram, the dashboard, the report): "conexión rechazada (3 ms)". */
  motivo: string;
  durationMs: number;
  fields: Record<string, string>;
  atMs: number;
}
