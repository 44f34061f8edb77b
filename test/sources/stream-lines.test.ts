import { describe, it, expect } from "@jest/globals";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import type { SourceLine } from "../../src/types.js";
import { readLinesFromStream } from "../../src/sources/stream-lines.js";

async function collect(chunks: Array<Buffer | string>, options = {}): Promise<{ lines: SourceLine[]; batches: number }> {
  const lines: SourceLine[] = [];
  let batches = 0;
  await readLinesFromStream(
    Readable.from(chunks),
    "stdin",
    (batch) => {
      batches++;
      lines.push(...batch);
    },
    options,
  );
  return { lines, batches };
}

describe("readLinesFromStream", () => {
  it("splits like the tailer: across chunks, CRLF, a UTF-8 character split between chunks", async () => {
    const emoji = Buffer.from("🎬");
    const { lines } = await collect(["first li", "ne\r\nsecond ", emoji.subarray(0, 1), Buffer.concat([emoji.subarray(1), Buffer.from("\n")])]);
    expect(lines.map((line) => line.text)).toEqual(["first line", "second 🎬"]);
    expect(lines[0]).toMatchObject({ source: "stdin", file: "<stdin>", fileId: "<stdin>", offset: -1, endOffset: -1 });
    expect(typeof lines[0].readAtMs).toBe("number");
  });

  it("emits a last line without newline when the stream ends", async () => {
    const { lines } = await collect(["a\nno newline at end"]);
    expect(lines.map((line) => line.text)).toEqual(["a", "no newline at end"]);
  });

  it("cuts long lines at maxLineBytes and reports them", async () => {
    const cut: SourceLine[] = [];
    const { lines } = await collect(["x".repeat(100), "y".repeat(100), "\nshort\n"], { maxLineBytes: 50, onTruncatedLine: (line: SourceLine) => cut.push(line) });
    expect(lines.map((line) => line.text)).toEqual(["x".repeat(50), "short"]);
    expect(lines[0].truncatedBytes).toBe(150);
    expect(cut).toEqual([lines[0]]);
  });

  it("reads a real child's stdout, one batch per chunk, under a pseudo file name", async () => {
    const child = spawn(process.execPath, ["-e", "for (let i = 1; i <= 2000; i++) process.stdout.write(`line ${i}\\n`)"]);
    const lines: SourceLine[] = [];
    let batches = 0;
    await readLinesFromStream(child.stdout, "bot", (batch) => {
      batches++;
      lines.push(...batch);
    }, { file: "<child:bot>" });
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toMatchObject({ text: "line 2000", file: "<child:bot>", source: "bot" });
    expect(batches).toBeLessThan(2000);
  });
});
