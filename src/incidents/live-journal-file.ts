import { open, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import {
  applyKeptAttributes,
  discardTemp,
  openTempBeside,
  readKeptAttributes,
  syncDirectory,
  writeChunks,
  type KeptAttributes,
  type TempFile,
} from "../util/atomic-write.js";

/** A new file beside the live one, holding the first bytes of the next version, already on disk (fsynced). */
interface PreparedFile extends TempFile {
  /** The chunks it holds, in order: the next version may use it when it starts with these very chunks. */
  prefix: readonly Uint8Array[];
}

/** A replacement readers already see. */
export interface Replaced {
  /** How long it took for the new version to be fully on disk and in place (fsync, rename), from `now`. */
  visibleMs: number;
  /** Resolves once the replaced version is released and the folder synced: the rename then survives a power cut. */
  durable: Promise<void>;
  /** Whether a prepared prefix was used (only the rest was written and synced). */
  fromPrepared: boolean;
}

/**
 * The live journal on disk. It is only ever replaced by rename of a complete new file that was fsynced first, so a
 * reader (jq) opening it at any instant reads one whole version to its end, and a kill or a power cut leaves the old
 * or the new version, never a mix. Two things keep a replacement short when the file is megabytes of closed history
 * and the change is at its end:
 *
 * - the unchanging beginning of the next version (the settled incidents) is written to a new temp file and synced
 *   ahead of time (`prepare`), so a change then writes and syncs only what follows it;
 * - the version being replaced stays open here until the new one is in place: the rename then only unlinks it, and
 *   freeing its blocks (milliseconds for megabytes on ext4) happens after readers already see the new version.
 *
 * Writing a file in place (pwrite, truncate) is never done: a reader between two of its reads would see a mix of
 * two versions.
 */
export class LiveJournalFile {
  private live: FileHandle | null = null;
  private prepared: PreparedFile | null = null;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds the version now in place (if any), so its replacement does not free it inside the rename. */
  async hold(): Promise<void> {
    if (this.live) return;
    this.live = await open(this.path, "r").catch(() => null);
  }

  /**
   * Replaces the live file with the concatenation of `chunks`: from the prepared file when `chunks` starts with its
   * prefix (same chunk objects), else a whole new file. Either way: written, fsynced, renamed over the live file
   * (then this resolves), then the replaced version closed and the folder fsynced (then `durable` resolves; it never
   * rejects: a folder that refuses fsync is left as it is).
   */
  async replace(chunks: readonly Uint8Array[]): Promise<Replaced> {
    const started = this.now();
    const prepared = this.takePrepared(chunks);
    // A prepared beginning this version does not start with is of no use any more: removed once this one is in place.
    const stale = this.prepared;
    this.prepared = null;
    let target: TempFile;
    try {
      target = prepared ? await this.finishPrepared(prepared, chunks) : await this.writeWhole(chunks);
    } catch (error) {
      if (prepared) await discardTemp(prepared);
      if (stale) await discardTemp(stale);
      throw error;
    }
    try {
      await rename(target.path, this.path);
    } catch (error) {
      await discardTemp(target);
      if (stale) await discardTemp(stale);
      throw error;
    }
    const visibleMs = this.now() - started;
    const replaced = this.live;
    this.live = target.handle;
    const durable = Promise.all([replaced?.close().catch(() => undefined), syncDirectory(dirname(this.path)), stale && discardTemp(stale)]).then(() => undefined);
    return { visibleMs, durable, fromPrepared: prepared !== null };
  }

  /**
   * Writes `prefix` (the chunks every next version is expected to start with) to a new temp file and syncs it, for
   * the next replace. A failure only costs that replace's speed: it writes the whole file instead.
   */
  async prepare(prefix: readonly Uint8Array[]): Promise<void> {
    await this.discardPrepared();
    const file = await openTempBeside(this.path);
    try {
      await writeChunks(file.handle, prefix);
      await file.handle.sync();
      this.prepared = { ...file, prefix: [...prefix] };
    } catch (error) {
      await discardTemp(file);
      throw error;
    }
  }

  async discardPrepared(): Promise<void> {
    const prepared = this.prepared;
    this.prepared = null;
    if (prepared) await discardTemp(prepared);
  }

  /** Removes the prepared file and lets the live version go. */
  async close(): Promise<void> {
    await this.discardPrepared();
    const live = this.live;
    this.live = null;
    await live?.close().catch(() => undefined);
  }

  /** The prepared file when `chunks` starts with its prefix and goes on after it; it is then no longer prepared. */
  private takePrepared(chunks: readonly Uint8Array[]): PreparedFile | null {
    const prepared = this.prepared;
    if (!prepared || chunks.length <= prepared.prefix.length) return null;
    for (let i = 0; i < prepared.prefix.length; i++) if (chunks[i] !== prepared.prefix[i]) return null;
    this.prepared = null;
    return prepared;
  }

  /** The rest after the prepared prefix (at the file's position, the prefix's end), synced. */
  private async finishPrepared(prepared: PreparedFile, chunks: readonly Uint8Array[]): Promise<TempFile> {
    // The live file's mode and owner, read again: an operator may have changed them since the file was prepared.
    const [, kept] = await Promise.all([writeChunks(prepared.handle, chunks.slice(prepared.prefix.length)), readKeptAttributes(this.path)]);
    if (kept && !sameAttributes(kept, prepared.kept)) await applyKeptAttributes(prepared.handle, kept);
    await prepared.handle.sync();
    return prepared;
  }

  private async writeWhole(chunks: readonly Uint8Array[]): Promise<TempFile> {
    const file = await openTempBeside(this.path);
    try {
      await writeChunks(file.handle, chunks);
      await file.handle.sync();
    } catch (error) {
      await discardTemp(file);
      throw error;
    }
    return file;
  }
}

function sameAttributes(a: NonNullable<KeptAttributes>, b: KeptAttributes): boolean {
  return b !== null && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
}
