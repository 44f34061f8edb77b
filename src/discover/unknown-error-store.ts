import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../util/atomic-write.js";
import { DrainTree } from "./drain-tree.js";
import { isErrorEvent, maskVariableParts, selectSignatureLines } from "./mask-template.js";

/** Between the masked lines of one event's signature (a traceback's first and last line). */
const LINE_BREAK_TOKEN = "⏎";

/** One template in `logs/desconocidos.json`. */
export interface UnknownTemplate {
  id: string;
  plantilla: string;
  total: number;
  primera_vez: string;
  ultima_vez: string;
  fuentes: string[];
  /** Up to MAX_SAMPLES event texts, oldest first. */
  ejemplos: string[];
  /** True once its "error nuevo" alert was sent. */
  avisado: boolean;
}

/** What an unclaimed event needs to be counted. */
export interface UnclaimedEvent {
  source: string;
  text: string;
  atMs: number;
}

/** Sent once per template when it reaches `alertAfter` occurrences within `alertWithinMs`. */
export interface NewErrorAlert {
  template: UnknownTemplate;
  count: number;
  withinMs: number;
}

export interface UnknownErrorStoreOptions {
  /** null: memory only (suggest-rules over log files). */
  path: string | null;
  alertAfter: number;
  alertWithinMs: number;
  maxTemplates?: number;
  onAlert: (alert: NewErrorAlert) => void;
  onError: (error: unknown) => void;
  /** Delay between a change and its write (writes coalesce). Default 1000 ms. */
  writeDelayMs?: number;
}

const MAX_SAMPLES = 3;
const DEFAULT_MAX_TEMPLATES = 500;
/**
 * Longest sample kept, in characters: an event may reach 256 KiB, and 500 templates × 3 samples of that would make
 * a file of hundreds of MB rewritten every second.
 */
const MAX_SAMPLE_CHARS = 16 * 1024;

/**
 * Counts the error events no rule claims, by template, and keeps them in a JSON file rewritten atomically
 * (valid JSON at every instant). Bounded: past `maxTemplates`, the template seen least recently is dropped.
 */
export class UnknownErrorStore {
  private readonly templates = new Map<string, UnknownTemplate>();
  /** Recent occurrence times per template, for the alert window. */
  private readonly recentMs = new Map<string, number[]>();
  private readonly tree = new DrainTree({ makeId: (t) => createHash("sha1").update(t).digest("hex").slice(0, 12) });
  private readonly options: UnknownErrorStoreOptions;
  private readonly maxTemplates: number;
  private writeTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(options: UnknownErrorStoreOptions) {
    this.options = options;
    this.maxTemplates = options.maxTemplates ?? DEFAULT_MAX_TEMPLATES;
  }

  /** Reloads the file of an earlier run; a missing file is an empty store, a corrupt one is reported and left. */
  async load(): Promise<void> {
    if (this.options.path === null) return;
    let text: string;
    try {
      text = await readFile(this.options.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.options.onError(error);
      return;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) throw new Error(`${this.options.path}: expected a JSON array`);
      for (const t of parsed as UnknownTemplate[]) {
        if (typeof t?.id !== "string" || typeof t.plantilla !== "string") continue;
        this.templates.set(t.id, { ...t, fuentes: [...(t.fuentes ?? [])], ejemplos: [...(t.ejemplos ?? [])] });
        this.tree.restore({ id: t.id, tokens: toTokens(t.plantilla) });
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** Counts an event no rule claimed, when it is an error; true when it was counted. */
  observe(event: UnclaimedEvent): boolean {
    if (!isErrorEvent(event.text)) return false;
    const masked = selectSignatureLines(event.text).map(maskVariableParts).join(` ${LINE_BREAK_TOKEN} `);
    const cluster = this.tree.add(masked);
    const at = new Date(event.atMs).toISOString();
    let t = this.templates.get(cluster.id);
    if (!t) {
      t = { id: cluster.id, plantilla: "", total: 0, primera_vez: at, ultima_vez: at, fuentes: [], ejemplos: [], avisado: false };
      this.templates.set(cluster.id, t);
      this.evictOverflow();
    }
    t.plantilla = fromTokens(cluster.tokens);
    t.total++;
    t.ultima_vez = at;
    if (!t.fuentes.includes(event.source)) t.fuentes.push(event.source);
    if (t.ejemplos.length < MAX_SAMPLES) t.ejemplos.push(cutSample(event.text));
    this.noteOccurrence(t, event.atMs);
    this.scheduleWrite();
    return true;
  }

  /** Templates, most frequent first. */
  list(): UnknownTemplate[] {
    return [...this.templates.values()].sort((a, b) => b.total - a.total);
  }

  /** Writes what is pending now and waits for it. */
  async flush(): Promise<void> {
    if (this.writeTimer) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
      this.queueWrite();
    }
    await this.writing;
  }

  /**
   * Keeps the latest `alertAfter` times of a template not yet alerted, no more: the alert is due when the oldest
   * of them is within the window. An alerted template keeps none (a flood of it costs nothing per event).
   */
  private noteOccurrence(t: UnknownTemplate, atMs: number): void {
    if (t.avisado) return;
    const times = (this.recentMs.get(t.id) ?? []).filter((ms) => atMs - ms < this.options.alertWithinMs);
    times.push(atMs);
    if (times.length > this.options.alertAfter) times.shift();
    this.recentMs.set(t.id, times);
    if (times.length < this.options.alertAfter) return;
    t.avisado = true;
    this.recentMs.delete(t.id);
    this.options.onAlert({ template: { ...t }, count: times.length, withinMs: this.options.alertWithinMs });
  }

  private evictOverflow(): void {
    while (this.templates.size > this.maxTemplates) {
      let oldest: UnknownTemplate | null = null;
      for (const t of this.templates.values()) if (!oldest || t.ultima_vez < oldest.ultima_vez) oldest = t;
      if (!oldest) return;
      this.templates.delete(oldest.id);
      this.recentMs.delete(oldest.id);
      this.tree.remove(oldest.id);
    }
  }

  private scheduleWrite(): void {
    if (this.writeTimer || this.options.path === null) return;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      this.queueWrite();
    }, this.options.writeDelayMs ?? 1000);
    this.writeTimer.unref();
  }

  private queueWrite(): void {
    const path = this.options.path;
    if (path === null) return;
    const text = `${JSON.stringify(this.list(), null, 2)}\n`;
    this.writing = this.writing.then(() => writeFileAtomic(path, text)).catch((error) => this.options.onError(error));
  }
}

/**
 * An event as a sample of at most MAX_SAMPLE_CHARS: whole lines from its start and from its end (where Python names
 * the exception), the frames between them left out; a single line too long is cut.
 */
function cutSample(text: string): string {
  if (text.length <= MAX_SAMPLE_CHARS) return text;
  const lines = text.split("\n");
  const head: string[] = [];
  const tail: string[] = [];
  let room = MAX_SAMPLE_CHARS;
  for (let i = 0, j = lines.length - 1; i <= j; ) {
    // Alternately from each end, so both the first line and the last one are kept.
    const fromEnd = tail.length < head.length && j > i;
    const line = lines[fromEnd ? j : i]!;
    if (line.length + 1 > room) break;
    room -= line.length + 1;
    if (fromEnd) tail.unshift(lines[j--]!);
    else head.push(lines[i++]!);
  }
  if (head.length === 0) return `${text.slice(0, MAX_SAMPLE_CHARS - 1)}…`;
  return [...head, ...tail].join("\n");
}

function toTokens(plantilla: string): string[] {
  return plantilla.split("\n").join(` ${LINE_BREAK_TOKEN} `).split(" ");
}

function fromTokens(tokens: readonly string[]): string {
  return tokens.join(" ").split(` ${LINE_BREAK_TOKEN} `).join("\n");
}
