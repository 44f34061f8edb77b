import { describe, expect, it } from "@jest/globals";
import { formatDurationMs } from "../../src/util/format-duration-ms.js";
import { DASHBOARD_JS } from "../../src/observe/dashboard/dashboard-client.js";

const SAMPLES_MS = [0, 1, 850, 999.4, 999.6, 1000, 7000, 7_499, 59_499, 59_500, 60_000, 125_000, 3_599_499, 3_599_500, 3_780_000,
  7_200_000, 86_399_999, 86_400_000, 90_061_000, 3 * 86_400_000 + 4 * 3_600_000];

describe("formatDurationMs", () => {
  it("says a duration in at most two units, dropping a zero second one", () => {
    expect([850, 7000, 125_000, 3_780_000, 7_200_000, 90_061_000, 2 * 86_400_000].map(formatDurationMs)).toEqual([
      "850 ms", "7 s", "2 min 5 s", "1 h 3 min", "2 h", "1 d 1 h", "2 d",
    ]);
  });

  it("rounds to the second, carrying into the next unit", () => {
    expect([999.4, 999.6, 59_499, 59_500, 3_599_500].map(formatDurationMs)).toEqual(["999 ms", "1 s", "59 s", "1 min", "1 h"]);
  });

  it("answers ? for what is not a duration", () => {
    expect([-1, Number.NaN, Number.POSITIVE_INFINITY].map(formatDurationMs)).toEqual(["?", "?", "?"]);
  });

  it("is what the dashboard's browser script shows for the same durations", () => {
    const source = /function dosUnidades[\s\S]*?\n {2}}\n {2}function duracion[\s\S]*?\n {2}}\n/.exec(DASHBOARD_JS)?.[0];
    expect(source).toBeDefined();
    const duracion = new Function(`${source}; return duracion;`)() as (ms: number) => string;
    for (const ms of [...SAMPLES_MS, -5, Number.NaN]) expect([ms, duracion(ms)]).toEqual([ms, formatDurationMs(ms)]);
  });
});
