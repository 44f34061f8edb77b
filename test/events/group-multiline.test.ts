import { describe, expect, it } from "@jest/globals";
import { TestScheduler } from "rxjs/testing";
import { clockOn } from "../helpers/virtual-clock.js";
import { Subject, firstValueFrom, from, tap, toArray } from "rxjs";
import { groupMultiline } from "../../src/events/group-multiline.js";
import { MultilineGrouper } from "../../src/events/multiline-grouper.js";
import type { LogEvent, SourceLine } from "../../src/types.js";

/** The default config's start pattern: Python logging's `2025-12-25 14:30:20,123`. */
const PY_START = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;

/** Lines as the tailer emits them: consecutive byte offsets in one file, LF terminators. */
function makeLines(texts: string[], opts: { source?: string; fileId?: string; startOffset?: number; readAtMs?: number } = {}): SourceLine[] {
  let offset = opts.startOffset ?? 0;
  return texts.map((text) => {
    const endOffset = offset + Buffer.byteLength(text) + 1;
    const line: SourceLine = {
      source: opts.source ?? "bot",
      file: `logs/${opts.source ?? "bot"}.log`,
      text,
      offset,
      endOffset,
      fileId: opts.fileId ?? "1:100",
      readAtMs: opts.readAtMs ?? 0,
    };
    offset = endOffset;
    return line;
  });
}

const TRACEBACK = [
  "2025-12-25 14:30:20,123 - bot - ERROR - Error descargando video",
  "Traceback (most recent call last):",
  '  File "/app/descargas.py", line 88, in guardar',
  "    with open(ruta, 'wb') as f:",
  "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'",
];

function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe("groupMultiline", () => {
  it("joins a Python traceback into one event, flushed by the next start line", async () => {
    const lines = makeLines([...TRACEBACK, "2025-12-25 14:30:21,000 - bot - INFO - siguiente"]);
    const op = groupMultiline({ startPatterns: { bot: PY_START } });
    const batches = await firstValueFrom(from([lines]).pipe(op, toArray()));
    const events = batches.flat();
    expect(events).toHaveLength(2);
    expect(events[0]!.text).toBe(TRACEBACK.join("\n"));
    expect(events[0]!.lineCount).toBe(5);
    expect(events[0]!.offset).toBe(0);
    expect(events[0]!.endOffset).toBe(lines[4]!.endOffset);
    // The last start line is only complete at the end of the input.
    expect(events[1]!.text).toBe("2025-12-25 14:30:21,000 - bot - INFO - siguiente");
    expect(events[1]!.offset).toBe(lines[5]!.offset);
  });

  it("emits one batch per input batch with every completed event, never an empty batch", async () => {
    const a = makeLines(["2025-12-25 14:30:20,000 a", "2025-12-25 14:30:20,001 b", "  cont b"]);
    const b = makeLines(["  more b"], { startOffset: a[2]!.endOffset });
    const batches = await firstValueFrom(from([a, b]).pipe(groupMultiline({ startPatterns: { bot: PY_START } }), toArray()));
    // batch a completes "a"; batch b completes nothing (no empty emission); completion flushes "b".
    expect(batches.map((batch) => batch.map((e) => e.text))).toEqual([
      ["2025-12-25 14:30:20,000 a"],
      ["2025-12-25 14:30:20,001 b\n  cont b\n  more b"],
    ]);
  });

  it("keeps one line per event for sources without multiline, preserving fields", async () => {
    const lines = makeLines(["Traceback (most recent call last):", "  File x", "ERROR boom"], { source: "backend" });
    lines[1]!.truncatedBytes = 10;
    const batches = await firstValueFrom(from([lines]).pipe(groupMultiline({ startPatterns: { bot: PY_START } }), toArray()));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(
      lines.map((l): LogEvent => ({
        source: "backend",
        file: l.file,
        fileId: l.fileId,
        text: l.text,
        lineCount: 1,
        offset: l.offset,
        endOffset: l.endOffset,
        readAtMs: l.readAtMs,
      })),
    );
  });

  it("makes each line before the first start line an event of its own", async () => {
    const lines = makeLines(["    in the middle of something", "ValueError: x", ...TRACEBACK.slice(0, 2)]);
    const events = (await firstValueFrom(from([lines]).pipe(groupMultiline({ startPatterns: { bot: PY_START } }), toArray()))).flat();
    expect(events.map((e) => e.text)).toEqual([
      "    in the middle of something",
      "ValueError: x",
      `${TRACEBACK[0]}\n${TRACEBACK[1]}`,
    ]);
  });

  it("never mixes lines of two sources or two files of one source", async () => {
    const bot1 = makeLines(["2025-12-25 14:30:20,000 bot old", "  old cont"], { fileId: "1:1" });
    const bot2 = makeLines(["2025-12-25 14:30:21,000 bot new", "  new cont"], { fileId: "1:2" });
    const other = makeLines(["2025-12-25 14:30:20,500 other", "  other cont"], { source: "worker", fileId: "1:3" });
    const interleaved = [bot1[0]!, bot2[0]!, other[0]!, bot1[1]!, other[1]!, bot2[1]!];
    const op = groupMultiline({ startPatterns: { bot: PY_START, worker: PY_START } });
    const events = (await firstValueFrom(from([interleaved]).pipe(op, toArray()))).flat();
    const texts = events.map((e) => e.text).sort();
    expect(texts).toEqual([
      "2025-12-25 14:30:20,000 bot old\n  old cont",
      "2025-12-25 14:30:20,500 other\n  other cont",
      "2025-12-25 14:30:21,000 bot new\n  new cont",
    ]);
    const oldEvent = events.find((e) => e.text.includes("old"))!;
    expect([oldEvent.fileId, oldEvent.offset, oldEvent.endOffset]).toEqual(["1:1", 0, bot1[1]!.endOffset]);
  });

  it("passes text through untouched: no CR added or stripped, multibyte intact", async () => {
    // The tailer strips CRLF terminators; a CR inside a line is content and must survive as-is.
    const lines = makeLines(["2025-12-25 14:30:20,000 descarga 🎬 ñandú", "  detalle\rcon CR interno", "  fin ✓"]);
    const [event] = (await firstValueFrom(from([lines]).pipe(groupMultiline({ startPatterns: { bot: PY_START } }), toArray()))).flat();
    expect(event!.text).toBe("2025-12-25 14:30:20,000 descarga 🎬 ñandú\n  detalle\rcon CR interno\n  fin ✓");
    expect(event!.text.endsWith("\r")).toBe(false);
    expect(event!.endOffset - event!.offset).toBe(Buffer.byteLength(`${event!.text}\n`));
  });

  it("caps an event at maxEventLines and continues the rest as a new event", async () => {
    const cont = Array.from({ length: 9 }, (_, i) => `  frame ${i}`);
    const lines = makeLines(["2025-12-25 14:30:20,000 start", ...cont]);
    const op = groupMultiline({ startPatterns: { bot: PY_START }, maxEventLines: 4 });
    const events = (await firstValueFrom(from([lines]).pipe(op, toArray()))).flat();
    expect(events.map((e) => e.lineCount)).toEqual([4, 4, 2]);
    expect(events.map((e) => e.text).join("\n")).toBe(lines.map((l) => l.text).join("\n"));
    // Chunks tile the file: each starts where the previous ended.
    for (let i = 1; i < events.length; i++) expect(events[i]!.offset).toBe(events[i - 1]!.endOffset);
  });

  it("caps an event at maxEventBytes before it would exceed it", async () => {
    const big = "x".repeat(99); // 100 bytes with its LF
    const lines = makeLines(["2025-12-25 14:30:20,000 s", big, big, big, big]);
    const op = groupMultiline({ startPatterns: { bot: PY_START }, maxEventBytes: 250 });
    const events = (await firstValueFrom(from([lines]).pipe(op, toArray()))).flat();
    for (const e of events) expect(e.endOffset - e.offset).toBeLessThanOrEqual(250);
    expect(events.map((e) => e.lineCount)).toEqual([3, 2]);
  });

  it("counts bytes of cut lines and non-file lines from their text", () => {
    const grouper = new MultilineGrouper({ startPatterns: { bot: PY_START }, maxEventBytes: 50 });
    const start: SourceLine = { source: "bot", file: "<stdin>", text: "2025-12-25 14:30:20,000 s", offset: -1, endOffset: -1, fileId: "<stdin>", readAtMs: 0 };
    const cont: SourceLine = { ...start, text: "é".repeat(15) }; // 30 bytes, 15 UTF-16 units
    const out: LogEvent[] = [];
    grouper.push([start, cont], 0, out);
    expect(out).toHaveLength(1); // 26 + 31 > 50: the start line went out alone
    expect(out[0]!.offset).toBe(-1);
  });

  it("ignores g/y flags on a start pattern (test() must be stateless)", async () => {
    const lines = makeLines(["2025-12-25 14:30:20,000 a", "2025-12-25 14:30:20,001 b", "2025-12-25 14:30:20,002 c"]);
    const op = groupMultiline({ startPatterns: { bot: new RegExp(PY_START.source, "g") } });
    const events = (await firstValueFrom(from([lines]).pipe(op, toArray()))).flat();
    expect(events).toHaveLength(3);
  });

  it("exposes the first offset of pending events per fileId for checkpoints", () => {
    const input = new Subject<SourceLine[]>();
    const op = groupMultiline({ startPatterns: { bot: PY_START } });
    const seen: LogEvent[] = [];
    const sub = input.pipe(op).subscribe((batch) => seen.push(...batch));
    const a = makeLines(["2025-12-25 14:30:20,000 one", "2025-12-25 14:30:20,001 two", "  two cont"], { fileId: "1:7", startOffset: 1000 });
    input.next(a);
    expect(seen.map((e) => e.offset)).toEqual([1000]);
    expect(op.getPendingOffset("1:7")).toBe(a[1]!.offset);
    expect(op.getPendingOffset("9:9")).toBeUndefined();
    expect(op.pendingCount).toBe(1);
    op.flush(); // graceful stop: nothing waits for the idle timer
    expect(seen.map((e) => e.text)).toEqual(["2025-12-25 14:30:20,000 one", "2025-12-25 14:30:20,001 two\n  two cont"]);
    expect(op.getPendingOffset("1:7")).toBeUndefined();
    sub.unsubscribe();
    expect(op.pendingCount).toBe(0);
  });

  describe("idle flush (virtual time)", () => {
    it("flushes a pending event flushIdleMs after its last line", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const [start, c1, c2] = makeLines(TRACEBACK.slice(0, 3));
        const lines = cold<SourceLine[]>("a 99ms b 99ms c 1000ms |", { a: [start!], b: [c1!], c: [c2!] });
        const op = groupMultiline({ startPatterns: { bot: PY_START }, flushIdleMs: 300 }, clockOn(scheduler));
        const event: LogEvent = {
          source: "bot",
          file: "logs/bot.log",
          fileId: "1:100",
          text: TRACEBACK.slice(0, 3).join("\n"),
          lineCount: 3,
          offset: 0,
          endOffset: c2!.endOffset,
          readAtMs: 0,
        };
        // c arrives at 200 ms; the event goes out at 500 ms, not at the end of the input.
        expectObservable(lines.pipe(op)).toBe("500ms e 700ms |", { e: [event] });
        expectSubscriptions(lines.subscriptions).toBe("^ 1200ms !");
      });
    });

    it("does not flush while continuation lines keep coming within the timeout", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const all = makeLines([TRACEBACK[0]!, "  c1", "  c2", "  c3", "2025-12-25 14:30:22,000 next"]);
        const lines = cold<SourceLine[]>("a 249ms b 249ms c 249ms d 249ms e |", {
          a: [all[0]!], b: [all[1]!], c: [all[2]!], d: [all[3]!], e: [all[4]!],
        });
        const op = groupMultiline({ startPatterns: { bot: PY_START }, flushIdleMs: 300 }, clockOn(scheduler));
        const texts = lines.pipe(op);
        // The traceback leaves with the next start line at 1000 ms; "next" at completion, one frame later.
        expectObservable(texts).toBe("1000ms x (y|)", {
          x: [expect.objectContaining({ lineCount: 4, text: `${TRACEBACK[0]}\n  c1\n  c2\n  c3` })],
          y: [expect.objectContaining({ lineCount: 1, text: "2025-12-25 14:30:22,000 next" })],
        });
      });
    });

    it("times each pending event separately and lets a late continuation stand alone", () => {
      const scheduler = createScheduler();
      scheduler.run(({ hot, expectObservable }) => {
        const bot = makeLines(["2025-12-25 14:30:20,000 bot", "  late"]);
        const worker = makeLines(["2025-12-25 14:30:20,000 worker"], { source: "worker", fileId: "2:2" });
        const lines = hot<SourceLine[]>("a 199ms w 599ms l", { a: [bot[0]!], w: [worker[0]!], l: [bot[1]!] });
        const op = groupMultiline({ startPatterns: { bot: PY_START, worker: PY_START } }, clockOn(scheduler));
        // default flushIdleMs = 500: bot flushes at 500, worker at 700; the late line (800) is an orphan.
        expectObservable(lines.pipe(op), "^ 1000ms !").toBe("500ms b 199ms w 99ms l", {
          b: [expect.objectContaining({ text: "2025-12-25 14:30:20,000 bot" })],
          w: [expect.objectContaining({ text: "2025-12-25 14:30:20,000 worker", source: "worker" })],
          l: [expect.objectContaining({ text: "  late", lineCount: 1 })],
        });
      });
    });

    it("does not cut an event of a file still behind: the rest of it is on disk, not late", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        // A catch-up whose reader waits 1 s for the matcher between two chunks, the boundary inside a traceback.
        const all = makeLines([...TRACEBACK, "2025-12-25 14:30:21,000 - bot - INFO - siguiente"]);
        const lines = cold<SourceLine[]>("a 999ms b 999ms |", { a: all.slice(0, 3), b: all.slice(3) });
        let behind = true;
        const isBehind = (fileId: string): boolean => fileId === "1:100" && behind;
        const op = groupMultiline({ startPatterns: { bot: PY_START }, flushIdleMs: 300, isBehind }, clockOn(scheduler));
        const tracebackEvent = expect.objectContaining({ text: TRACEBACK.join("\n"), lineCount: 5 });
        const last = expect.objectContaining({ text: all[5]!.text, lineCount: 1 });
        // Read up (not behind any more) once b is in: the last line flushes 300 ms later, as any idle event.
        expectObservable(lines.pipe(op, tap(() => (behind = false)))).toBe("1000ms t 299ms l 699ms |", { t: [tracebackEvent], l: [last] });
      });
    });

    it("still flushes an idle event of a file read to its end", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const all = makeLines(TRACEBACK);
        const lines = cold<SourceLine[]>("a 999ms b 999ms |", { a: all.slice(0, 3), b: all.slice(3) });
        const op = groupMultiline({ startPatterns: { bot: PY_START }, flushIdleMs: 300, isBehind: () => false }, clockOn(scheduler));
        // The writer split its write: the head goes out when idle, the tail lines on their own (nothing to join).
        expectObservable(lines.pipe(op)).toBe("300ms h 699ms c 999ms |", {
          h: [expect.objectContaining({ lineCount: 3 })],
          c: [expect.objectContaining({ text: TRACEBACK[3], lineCount: 1 }), expect.objectContaining({ text: TRACEBACK[4], lineCount: 1 })],
        });
      });
    });

    it("at a stop, leaves the pending event of a file still behind (returned by its first offset) and emits the others", () => {
      const lines = new Subject<SourceLine[]>();
      const behind = new Set(["1:100"]);
      const op = groupMultiline({ startPatterns: { bot: PY_START }, isBehind: (fileId) => behind.has(fileId) });
      const events: LogEvent[] = [];
      lines.pipe(op).subscribe((batch) => events.push(...batch));
      // A traceback cut where the stop ended the read, and a whole record of another file read to its end.
      lines.next(makeLines(TRACEBACK.slice(0, 3), { startOffset: 500 }));
      lines.next(makeLines(["2025-12-25 14:30:21,000 - bot - INFO - otro"], { fileId: "1:200", startOffset: 70 }));
      expect([...op.flush()]).toEqual([["1:100", 500]]);
      expect(events.map((e) => [e.fileId, e.offset, e.lineCount])).toEqual([["1:200", 70, 1]]);
      expect(op.getPendingOffset("1:100")).toBeUndefined();
      lines.complete();
      expect(events).toHaveLength(1);
    });

    it("cancels its timer on unsubscribe", () => {
      const scheduler = createScheduler();
      scheduler.run(({ hot, expectObservable, flush }) => {
        const lines = hot<SourceLine[]>("a", { a: makeLines([TRACEBACK[0]!]) });
        const op = groupMultiline({ startPatterns: { bot: PY_START } }, clockOn(scheduler));
        expectObservable(lines.pipe(op), "^ 100ms !").toBe("");
        flush();
        expect(op.pendingCount).toBe(0);
      });
    });

    it("propagates errors", () => {
      const scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const lines = cold<SourceLine[]>("a #", { a: makeLines([TRACEBACK[0]!]) }, new Error("read failed"));
        expectObservable(lines.pipe(groupMultiline({ startPatterns: { bot: PY_START } }, clockOn(scheduler)))).toBe("- #", undefined, new Error("read failed"));
      });
    });
  });

  it("groups 1 M lines, 100 batches of 10 k, into the right events (throughput: npm run bench)", () => {
    const batch = makeLines(
      Array.from({ length: 10_000 }, (_, i) =>
        i % 10 === 9 ? "  continuation line of a traceback" : `2025-12-25 14:30:20,${String(i % 1000).padStart(3, "0")} - bot - INFO - linea ${i}`,
      ),
    );
    const grouper = new MultilineGrouper({ startPatterns: { bot: PY_START } });
    let events = 0;
    for (let i = 0; i < 100; i++) {
      const out: LogEvent[] = [];
      grouper.push(batch, i, out);
      events += out.length;
    }
    expect(events).toBe(900_000 - 1); // 9 events per 10 lines; the last one still pending
  });
});
