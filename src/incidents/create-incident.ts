import { randomBytes } from "node:crypto";
import type { Incident, RuleMatch } from "../types.js";
import { formatCompactLocal, formatLocalIso } from "./format-local-iso.js";

/** Where in which file the last event folded into an incident ended: lets a replay after a crash be recognised. */
export interface Posicion {
  fileId: string;
  endOffset: number;
}

/**
 * An incident as vigia keeps and journals it: the contract's fields plus `posicion`, an extra journal field
 * (null for events from non-file sources).
 */
export interface TrackedIncident extends Incident {
  posicion: Posicion | null;
  /** Opened by a `--dry-run` session: nothing was executed for it, and a real session never resumes it. */
  dry_run?: true;
}

const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024;

/** What createIncident needs besides the match. */
export interface CreateIncidentOptions {
  nowMs: number;
  id: string;
  /** Used when the rule sets no `retries`. */
  defaultMaxIntentos: number;
  /** Cap of `error_message` in UTF-8 bytes. */
  maxMessageBytes?: number;
  /** Matches this incident already stands for (a threshold's count). */
  ocurrencias?: number;
}

/** A new incident in state `detectado` for a match, with its first transition recorded. */
export function createIncident(match: RuleMatch, options: CreateIncidentOptions): TrackedIncident {
  const { rule, event, fields } = match;
  const timestamp = formatLocalIso(options.nowMs);
  return {
    timestamp,
    modelo: fields.modelo ?? null,
    video: fields.video ?? null,
    error_type: rule.id,
    error_message: capText(event.text, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
    accion: null,
    estado: "detectado",
    intento: 0,
    max_intentos: rule.retries ?? options.defaultMaxIntentos,
    id: options.id,
    fuente: event.source,
    archivo: event.file,
    severidad: rule.severity,
    campos: { ...fields },
    ocurrencias: options.ocurrencias ?? 1,
    ultima_ocurrencia: timestamp,
    clave: match.key,
    transiciones: [{ estado: "detectado", timestamp, accion: null, intento: 0, detalle: null }],
    resuelto: null,
    duracion_ms: null,
    posicion: getEventPosition(match),
  };
}

/** The position to record for a match, or null when its event has no file offsets. */
export function getEventPosition(match: RuleMatch): Posicion | null {
  return match.event.endOffset >= 0 ? { fileId: match.event.fileId, endOffset: match.event.endOffset } : null;
}

/**
 * `YYYYMMDD-HHMMSS-<rule>-<6 hex>`: sortable by detection time, readable, and unique across restarts thanks to
 * 24 random bits (the manager also checks against the ids it knows).
 */
export function createIncidentId(ruleId: string, nowMs: number): string {
  const safeRule = ruleId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40);
  return `${formatCompactLocal(nowMs)}-${safeRule}-${takeRandomHex()}`;
}

/** Random bytes drawn a thousand ids at a time: one call to the system's generator per thousand incidents. */
const RANDOM_POOL_IDS = 1024;
let randomPool = Buffer.alloc(0);
let randomPoolAt = 0;

/** 24 random bits as 6 hex digits. */
function takeRandomHex(): string {
  if (randomPoolAt + 3 > randomPool.length) {
    randomPool = randomBytes(3 * RANDOM_POOL_IDS);
    randomPoolAt = 0;
  }
  randomPoolAt += 3;
  return randomPool.toString("hex", randomPoolAt - 3, randomPoolAt);
}

/** Cuts text to at most `maxBytes` UTF-8 bytes on a character boundary, saying how much was dropped. */
export function capText(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const marker = ` …[+${bytes.length - maxBytes} bytes]`;
  let cut = Math.max(0, maxBytes - Buffer.byteLength(marker));
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--; // never split a multibyte character
  return bytes.subarray(0, cut).toString("utf8") + marker;
}
