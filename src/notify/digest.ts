import type { Estado, Incident, Severity } from "../types.js";
import { escapeHtmlCut, TELEGRAM_MAX_TEXT } from "./escape-html.js";
import { formatDurationMs } from "../util/format-duration-ms.js";

/** What a digest remembers of one incident: enough to count it, kept current until the digest is sent. */
export interface DigestEntry {
  errorType: string;
  estado: Estado;
  severidad: Severity;
}

/** Most incidents tracked one by one per digest; beyond it they are only counted per type. */
const MAX_TRACKED = 20_000;
/** Most held-back messages kept word for word per digest; beyond it they are only counted. */
const MAX_NOTES = 50;

/** What one digest says: incidents per type, and the other messages held back. */
export interface CollectedDigest {
  entries: readonly DigestEntry[];
  untracked: ReadonlyMap<string, number>;
  notes?: readonly string[];
  notesUnkept?: number;
}

/**
 * Incidents that did not get a message of their own (flood limit or repeated key), counted per error_type and
 * kept current by id, so the digest says how many were fixed meanwhile.
 */
export class DigestCollector {
  private readonly entries = new Map<string, DigestEntry>();
  private readonly untracked = new Map<string, number>();
  /** Messages not about an incident (an unforeseen error) held back by flood control: their first line. */
  private notes: string[] = [];
  private notesUnkept = 0;

  get size(): number {
    return this.entries.size + [...this.untracked.values()].reduce((a, b) => a + b, 0) + this.notes.length + this.notesUnkept;
  }

  /** Keeps the first line of a message that flood control held back, for the digest to say it. */
  addNote(line: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(line);
    else this.notesUnkept++;
  }

  add(incident: Incident): void {
    if (this.entries.size >= MAX_TRACKED) {
      this.untracked.set(incident.error_type, (this.untracked.get(incident.error_type) ?? 0) + 1);
      return;
    }
    this.entries.set(incident.id, { errorType: incident.error_type, estado: incident.estado, severidad: incident.severidad });
  }

  /** Refreshes the state of an incident already in the digest; false when it is not in it. */
  update(incident: Incident): boolean {
    const entry = this.entries.get(incident.id);
    if (!entry) return false;
    entry.estado = incident.estado;
    return true;
  }

  /** Takes an incident out of the digest (it gets a message of its own); false when it is not in it. */
  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  /** Everything collected so far, clearing the collector. */
  take(): CollectedDigest {
    const out = { entries: [...this.entries.values()], untracked: new Map(this.untracked), notes: this.notes, notesUnkept: this.notesUnkept };
    this.entries.clear();
    this.untracked.clear();
    this.notes = [];
    this.notesUnkept = 0;
    return out;
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Held-back messages shown in a digest, and the length of each: together well under half of Telegram's limit. */
const MAX_NOTES_SHOWN = 5;
const MAX_NOTE_CHARS = 300;

/** Room kept at the end of a digest for its "… y N tipos más" line. */
const RESERVED_TAIL_CHARS = 40;

/**
 * The digest message: one line per error_type, most frequent first, e.g.
 * "12 × timeout en los últimos 5 min: 3 solucionados, 9 pendientes".
 */
export function formatDigest(collected: CollectedDigest, windowMs: number): string {
  interface Row { total: number; solucionados: number; fallidos: number; pendientes: number; critical: boolean }
  const rows = new Map<string, Row>();
  const rowOf = (type: string): Row => {
    let row = rows.get(type);
    if (!row) rows.set(type, (row = { total: 0, solucionados: 0, fallidos: 0, pendientes: 0, critical: false }));
    return row;
  };
  for (const e of collected.entries) {
    const row = rowOf(e.errorType);
    row.total++;
    if (e.estado === "solucionado") row.solucionados++;
    else if (e.estado === "fallido") row.fallidos++;
    else row.pendientes++;
    if (e.severidad === "critical") row.critical = true;
  }
  for (const [type, n] of collected.untracked) {
    const row = rowOf(type);
    row.total += n;
    row.pendientes += n; // not followed one by one: their outcome is unknown here (it is in the journal)
  }
  const window = formatDurationMs(windowMs);
  const sorted = [...rows.entries()].sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));
  const lines = ["📦 <b>alertas agrupadas</b> (límite de mensajes o claves repetidas)"];
  // Held-back unforeseen errors first: each was said once only, and /desconocidos lists them all.
  const notes = collected.notes ?? [];
  for (const note of notes.slice(0, MAX_NOTES_SHOWN)) lines.push(escapeHtmlCut(note, MAX_NOTE_CHARS));
  const notesLeft = notes.length - Math.min(notes.length, MAX_NOTES_SHOWN) + (collected.notesUnkept ?? 0);
  if (notesLeft > 0) lines.push(`… y ${notesLeft} errores nuevos más (/desconocidos)`);
  let length = lines.reduce((n, l) => n + l.length + 1, -1);
  let shown = 0;
  for (const [type, row] of sorted) {
    const parts: string[] = [];
    if (row.solucionados) parts.push(plural(row.solucionados, "solucionado"));
    if (row.fallidos) parts.push(plural(row.fallidos, "fallido"));
    if (row.pendientes) parts.push(plural(row.pendientes, "pendiente"));
    const icon = row.critical ? "🚨 " : "";
    const line = `${icon}${row.total} × ${escapeHtmlCut(type, 100)} en los últimos ${window}: ${parts.join(", ")}`;
    // keep room for the "… y N tipos más" line so the message always fits
    if (length + 1 + line.length > TELEGRAM_MAX_TEXT - RESERVED_TAIL_CHARS) break;
    lines.push(line);
    length += 1 + line.length;
    shown++;
  }
  if (shown < sorted.length) lines.push(`… y ${sorted.length - shown} tipos más`);
  return lines.join("\n");
}
