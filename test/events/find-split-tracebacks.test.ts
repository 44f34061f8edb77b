import { describe, expect, it } from "@jest/globals";
import { createSplitTracebackFinder } from "../../src/events/find-split-tracebacks.js";
import type { SourceLine } from "../../src/types.js";

let offset = 0;
const line = (source: string, text: string): SourceLine => ({ source, file: `logs/${source}.log`, text, offset: offset++, endOffset: offset, fileId: "1:1", readAtMs: 0 });

describe("createSplitTracebackFinder", () => {
  it("finds a header followed by a frame line, also across two batches, once per source, only for the sources it watches", () => {
    const found: SourceLine[] = [];
    const find = createSplitTracebackFinder(["bot", "api"], (header) => found.push(header));
    find([line("bot", "2025-12-25 14:30:20,131 - bot - ERROR - Error al guardar el video"), line("bot", "Traceback (most recent call last):")]);
    expect(found).toEqual([]);
    find([line("bot", '  File "/home/bot/app/main.py", line 212, in guardar_video'), line("bot", "Traceback (most recent call last):"), line("bot", '  File "x.py", line 1, in f')]);
    expect(found.map((h) => [h.source, h.text])).toEqual([["bot", "Traceback (most recent call last):"]]);
    // Not watched: a source with multiline.
    find([line("backend", "Traceback (most recent call last):"), line("backend", '  File "y.py", line 2, in g')]);
    expect(found).toHaveLength(1);
  });

  it("ignores the header without a frame after it (a log quoting the words), and a frame line without a header", () => {
    const found: SourceLine[] = [];
    const find = createSplitTracebackFinder(["bot"], (header) => found.push(header));
    find([line("bot", "Traceback (most recent call last):"), line("bot", "some other line"), line("bot", '  File "z.py", line 3, in h')]);
    find([line("bot", "INFO the words Traceback (most recent call last): in a message"), line("bot", '  File "z.py", line 3, in h')]);
    expect(found).toEqual([]);
  });
});
