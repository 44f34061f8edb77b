import { describe, expect, it } from "@jest/globals";
import { CatchUpRanges } from "../../src/incidents/catch-up-ranges.js";
import type { SourceLine } from "../../src/types.js";
import { makeEvent } from "../helpers/make-rule.js";

function line(fileId: string, offset: number, endOffset: number): SourceLine {
  return { source: "bot", file: "logs/bot_central.log", fileId, text: "x", offset, endOffset, readAtMs: 0 };
}

describe("CatchUpRanges: which bytes are a catch-up", () => {
  it("is what a file held at its first read when that read left some unread; what follows is live", () => {
    const ranges = new CatchUpRanges();
    ranges.noteBatch([line("1:1", 0, 100), line("1:1", 100, 1_048_576)], () => 5_000_000);
    // Later batches of the same file do not move the range, whatever the size is by then.
    ranges.noteBatch([line("1:1", 1_048_576, 2_000_000)], () => 9_000_000);
    expect(ranges.classify(makeEvent("a", { fileId: "1:1", offset: 10 }))).toBe("catch_up");
    expect(ranges.classify(makeEvent("b", { fileId: "1:1", offset: 4_999_000 }))).toBe("catch_up");
    expect(ranges.classify(makeEvent("c", { fileId: "1:1", offset: 5_000_000 }))).toBe("after_catch_up");
  });

  it("has no catch-up for a file read whole at once, nor for a file never read (a check, a child's output)", () => {
    const ranges = new CatchUpRanges();
    ranges.noteBatch([line("2:2", 0, 4000)], () => 4000);
    expect(ranges.classify(makeEvent("a", { fileId: "2:2", offset: 0 }))).toBe("live");
    expect(ranges.classify(makeEvent("b", { fileId: "3:3", offset: 0 }))).toBe("live");
  });
});
