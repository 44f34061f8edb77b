import { describe, it, expect } from "@jest/globals";
import { LineSplitter, findCharBoundary } from "../../src/sources/line-splitter.js";

interface Emitted {
  text: string;
  offset: number;
  endOffset: number;
  truncatedBytes: number;
}

/** Feeds `chunks` one by one and returns every emitted line. */
function split(chunks: Array<Buffer | string>, maxLineBytes = 1024, startOffset = 0): { lines: Emitted[]; splitter: LineSplitter } {
  const splitter = new LineSplitter(maxLineBytes, startOffset);
  const lines: Emitted[] = [];
  for (const chunk of chunks) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    splitter.push(buf, 0, buf.length, (text, offset, endOffset, truncatedBytes) => lines.push({ text, offset, endOffset, truncatedBytes }));
  }
  return { lines, splitter };
}

/** Every way of cutting `input` into single bytes. */
function bytesOf(input: string): Buffer[] {
  return [...Buffer.from(input)].map((byte) => Buffer.from([byte]));
}

describe("LineSplitter", () => {
  it("emits lines split across writes once, whole, in order, with byte offsets", () => {
    const { lines, splitter } = split(["hel", "lo wor", "ld\nsecond", " line\n", "third\n"]);
    expect(lines).toEqual([
      { text: "hello world", offset: 0, endOffset: 12, truncatedBytes: 0 },
      { text: "second line", offset: 12, endOffset: 24, truncatedBytes: 0 },
      { text: "third", offset: 24, endOffset: 30, truncatedBytes: 0 },
    ]);
    expect(splitter.committedOffset).toBe(30);
    expect(splitter.hasHeldLine).toBe(false);
  });

  it("gives the same result fed byte by byte as fed at once", () => {
    const input = "2024-05-01 12:00:00 INFO ñandú 🎬 café\r\n\nsegunda línea 日本語\nlast\n";
    const whole = split([input]).lines;
    const byByte = split(bytesOf(input)).lines;
    // Same lines at the same offsets; a CRLF cut between reads ends its line at the CR (the LF is skipped).
    const startsOf = (lines: Emitted[]) => lines.map(({ text, offset }) => ({ text, offset }));
    expect(startsOf(byByte)).toEqual(startsOf(whole));
    expect(byByte.map((l) => l.endOffset)).toEqual([whole[0]!.endOffset - 1, ...whole.slice(1).map((l) => l.endOffset)]);
    expect(whole.map((line) => line.text)).toEqual(["2024-05-01 12:00:00 INFO ñandú 🎬 café", "", "segunda línea 日本語", "last"]);
  });

  it("ends lines at LF, CRLF and a lone CR; a CRLF cut between two reads is one line end", () => {
    const { lines, splitter } = split(["a\r\nb\rc\r", "\nd\r\n"]);
    expect(lines.map((line) => line.text)).toEqual(["a", "b", "c", "d"]);
    expect(lines.map((line) => [line.offset, line.endOffset])).toEqual([[0, 3], [3, 5], [5, 7], [8, 11]]);
    expect(splitter.committedOffset).toBe(11);
  });

  it("emits a line ended by a lone CR at once, without waiting for the next read", () => {
    const errors = "2025-12-25 14:30:20,131 - ERROR - uno\r2025-12-25 14:30:21,131 - ERROR - dos\r";
    const { lines, splitter } = split([errors]);
    expect(lines.map((line) => line.text)).toEqual(["2025-12-25 14:30:20,131 - ERROR - uno", "2025-12-25 14:30:21,131 - ERROR - dos"]);
    expect(splitter.hasHeldLine).toBe(false);
    expect(splitter.committedOffset).toBe(Buffer.byteLength(errors));
  });

  it("resuming at an offset between a CR and its LF skips the LF instead of emitting an empty line", () => {
    const { lines } = split(["\nnext\r\n"], 1024, 100);
    expect(lines).toEqual([{ text: "next", offset: 101, endOffset: 107, truncatedBytes: 0 }]);
    expect(split(["\nnext\n"]).lines.map((line) => line.text)).toEqual(["", "next"]);
  });

  it("finds lone CRs in a long chunk without rescanning it per line", () => {
    const text = `${"linea sin retorno de carro\n".repeat(20_000)}ultima\rfin\n`;
    const { lines } = split([text]);
    expect(lines).toHaveLength(20_002);
    expect(lines.slice(-2).map((line) => line.text)).toEqual(["ultima", "fin"]);
  });

  it("decodes a 4-byte emoji split across every possible read boundary", () => {
    const input = Buffer.from("x🎬y\n");
    for (let cut = 1; cut < input.length; cut++) {
      const { lines } = split([input.subarray(0, cut), input.subarray(cut)]);
      expect(lines.map((line) => line.text)).toEqual(["x🎬y"]);
      expect(lines[0].endOffset).toBe(input.length);
    }
  });

  it("holds an unfinished last line with the committed offset before it, then emits it once", () => {
    const splitter = new LineSplitter(1024, 100);
    const lines: string[] = [];
    const sink = (text: string) => lines.push(text);
    splitter.push(Buffer.from("done\npart"), 0, 9, sink);
    expect(lines).toEqual(["done"]);
    expect(splitter.hasHeldLine).toBe(true);
    expect(splitter.committedOffset).toBe(105);
    expect(splitter.nextOffset).toBe(109);
    splitter.push(Buffer.from("ial\n"), 0, 4, sink);
    expect(lines).toEqual(["done", "partial"]);
    expect(splitter.committedOffset).toBe(113);
  });

  it("flushes a held line as it is (file rotated away for good)", () => {
    const splitter = new LineSplitter(1024);
    const lines: Emitted[] = [];
    const sink = (text: string, offset: number, endOffset: number, truncatedBytes: number) => lines.push({ text, offset, endOffset, truncatedBytes });
    splitter.push(Buffer.from("a\nno newline"), 0, 12, sink);
    splitter.flush(sink);
    splitter.flush(sink);
    expect(lines).toEqual([
      { text: "a", offset: 0, endOffset: 2, truncatedBytes: 0 },
      { text: "no newline", offset: 2, endOffset: 12, truncatedBytes: 0 },
    ]);
  });

  it("cuts a long line at maxLineBytes, counts the rest, in one chunk or many", () => {
    const long = "x".repeat(25);
    const oneChunk = split([`${long}\nok\n`], 10).lines;
    const manyChunks = split([...bytesOf(`${long}\n`), "ok\n"], 10).lines;
    for (const lines of [oneChunk, manyChunks]) {
      expect(lines).toEqual([
        { text: "x".repeat(10), offset: 0, endOffset: 26, truncatedBytes: 15 },
        { text: "ok", offset: 26, endOffset: 29, truncatedBytes: 0 },
      ]);
    }
  });

  it("does not count the CR of a CRLF as dropped when cutting, held or not", () => {
    const input = `${"y".repeat(12)}\r\n`;
    expect(split([input], 10).lines[0]).toMatchObject({ text: "y".repeat(10), truncatedBytes: 2 });
    expect(split(bytesOf(input), 10).lines[0]).toMatchObject({ text: "y".repeat(10), truncatedBytes: 2 });
    const exact = `${"z".repeat(10)}\r\n`;
    expect(split(bytesOf(exact), 10).lines[0]).toMatchObject({ text: "z".repeat(10), truncatedBytes: 0 });
  });

  it("cuts before a multibyte character rather than through it", () => {
    // "aaaaaaaaa" (9 bytes) + "é" (2 bytes): a 10-byte cap would split é.
    for (const chunks of [["aaaaaaaaaé tail\n"], bytesOf("aaaaaaaaaé tail\n")]) {
      const [line] = split(chunks, 10).lines;
      expect(line.text).toBe("aaaaaaaaa");
      expect(line.truncatedBytes).toBe(Buffer.byteLength("é tail"));
    }
  });

  it("findCharBoundary backs up at most 3 continuation bytes", () => {
    const emoji = Buffer.from("ab🎬"); // 🎬 = f0 9f 8e ac at 2..5
    expect(findCharBoundary(emoji, 0, 3)).toBe(2);
    expect(findCharBoundary(emoji, 0, 5)).toBe(2);
    expect(findCharBoundary(emoji, 0, 2)).toBe(2);
    const junk = Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80, 0x80]);
    expect(findCharBoundary(junk, 0, 5)).toBe(5);
  });

  it("skips NUL padding at line starts (the hole after a copytruncate) and keeps offsets exact", () => {
    const padded = Buffer.concat([Buffer.alloc(1000), Buffer.from("after hole\n"), Buffer.alloc(3), Buffer.from("next\n")]);
    const { lines } = split([padded.subarray(0, 500), padded.subarray(500)]);
    expect(lines).toEqual([
      { text: "after hole", offset: 1000, endOffset: 1011, truncatedBytes: 0 },
      { text: "next", offset: 1014, endOffset: 1019, truncatedBytes: 0 },
    ]);
  });

  it("never throws on binary junk and accounts for every byte", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const junk = Buffer.alloc(200_000);
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(random() * 256);
    junk[junk.length - 1] = 0x0a;
    const chunks: Buffer[] = [];
    for (let at = 0; at < junk.length; ) {
      const size = 1 + Math.floor(random() * 5000);
      chunks.push(junk.subarray(at, at + size));
      at += size;
    }
    const { lines, splitter } = split(chunks, 300);
    expect(lines.length).toBeGreaterThan(100);
    for (let i = 1; i < lines.length; i++) expect(lines[i].offset).toBeGreaterThanOrEqual(lines[i - 1].endOffset);
    expect(lines[lines.length - 1].endOffset).toBe(junk.length);
    expect(splitter.committedOffset).toBe(junk.length);
  });

  it("caps a 100 MB line without newline with bounded memory", () => {
    const maxLineBytes = 64 * 1024;
    const splitter = new LineSplitter(maxLineBytes);
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const lines: Emitted[] = [];
    const sink = (text: string, offset: number, endOffset: number, truncatedBytes: number) => lines.push({ text, offset, endOffset, truncatedBytes });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    for (let i = 0; i < 100; i++) {
      splitter.push(chunk, 0, chunk.length, sink);
      if (i % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    expect(lines).toHaveLength(0);
    expect(splitter.committedOffset).toBe(0);
    splitter.push(Buffer.from("\n"), 0, 1, sink);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    expect(lines).toHaveLength(1);
    expect(lines[0].text.length).toBe(maxLineBytes);
    expect(lines[0].truncatedBytes).toBe(100 * 1024 * 1024 - maxLineBytes);
    expect(lines[0].endOffset).toBe(100 * 1024 * 1024 + 1);
    // Holding 100 MB would grow RSS by at least that; the held part is capped at maxLineBytes + 1.
    expect(peakRss - rssBefore).toBeLessThan(20 * 1024 * 1024);
  });

  it("rejects a non-positive cap", () => {
    expect(() => new LineSplitter(0)).toThrow(RangeError);
  });
});

describe("LineSplitter: byte order marks and UTF-16", () => {
  const utf16be = (text: string) => Buffer.from(text, "utf16le").swap16();

  it("strips a UTF-8 byte order mark from the first line, keeping byte offsets, however it is read", () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("uno\ndos\n")]);
    const expected = [
      { text: "uno", offset: 0, endOffset: 7, truncatedBytes: 0 },
      { text: "dos", offset: 7, endOffset: 11, truncatedBytes: 0 },
    ];
    expect(split([input]).lines).toEqual(expected);
    expect(split([...input].map((b) => Buffer.from([b]))).lines).toEqual(expected);
  });

  it.each([
    ["UTF-16LE", (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")])],
    ["UTF-16BE", (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(t)])],
  ])("decodes %s with its BOM: LF, CRLF and lone CR line ends, byte offsets, any read boundaries", (_name, encode) => {
    const input = encode("uno ñandú 🎬\r\ndos\rtres\n");
    const whole = split([input]);
    expect(whole.lines).toEqual([
      { text: "uno ñandú 🎬", offset: 2, endOffset: 30, truncatedBytes: 0 },
      { text: "dos", offset: 30, endOffset: 38, truncatedBytes: 0 },
      { text: "tres", offset: 38, endOffset: 48, truncatedBytes: 0 },
    ]);
    expect(whole.splitter.committedOffset).toBe(input.length);
    expect(whole.splitter.encoding).toBe(_name.toLowerCase());
    const byByte = split([...input].map((b) => Buffer.from([b]))).lines;
    expect(byByte.map(({ text, offset }) => ({ text, offset }))).toEqual(whole.lines.map(({ text, offset }) => ({ text, offset })));
  });

  it("resumes mid-file in UTF-16 once told the file's first bytes, and caps long lines in whole characters", () => {
    const splitter = new LineSplitter(8, 10);
    splitter.detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]));
    const lines: Array<[string, number, number, number]> = [];
    const chunk = Buffer.from("abcdefgh\nzz\n", "utf16le");
    splitter.push(chunk, 0, chunk.length, (text, offset, endOffset, dropped) => lines.push([text, offset, endOffset, dropped]));
    expect(lines).toEqual([
      ["abcd", 10, 28, 8],
      ["zz", 28, 34, 0],
    ]);
  });
});
