import { describe, expect, it } from "@jest/globals";
import { readLogTimeMs } from "../../src/incidents/read-log-time.js";

describe("readLogTimeMs: the time a log line states at its start", () => {
  it("reads Python logging's asctime as local time, milliseconds after the comma", () => {
    expect(readLogTimeMs("2025-12-25 14:30:20,123 - bot_central - ERROR - boom")).toBe(new Date(2025, 11, 25, 14, 30, 20, 123).getTime());
    expect(readLogTimeMs("2025-12-25 14:30:20 - bot_central - INFO - x")).toBe(new Date(2025, 11, 25, 14, 30, 20).getTime());
  });

  it("reads ISO 8601 with a T, fractions of any length and a zone", () => {
    expect(readLogTimeMs("2025-12-25T14:30:20.5Z level=error")).toBe(Date.parse("2025-12-25T14:30:20.500Z"));
    expect(readLogTimeMs("2025-12-25T14:30:20.123456+01:00 x")).toBe(Date.parse("2025-12-25T14:30:20.123+01:00"));
    expect(readLogTimeMs("2025-12-25T14:30:20-0530 x")).toBe(Date.parse("2025-12-25T14:30:20-05:30"));
  });

  it("gives each line of a minute its own time, and the next minute's lines theirs", () => {
    const a = readLogTimeMs("2025-12-25 14:30:59,999 - a")!;
    const b = readLogTimeMs("2025-12-25 14:31:00,000 - b")!;
    expect(b - a).toBe(1);
    expect(readLogTimeMs("2025-12-25 14:30:00,000 - c")).toBe(a - 59_999);
  });

  it("is null for lines that do not start with a time", () => {
    for (const text of ["", "Traceback (most recent call last):", "  File \"x.py\", line 3", "2025-13-25 14:30:20 bad month", "2025-12-25 25:00:00 bad hour", "2025/12/25 14:30:20 slashes", "12345"]) {
      expect(readLogTimeMs(text)).toBeNull();
    }
  });
});
