import { describe, expect, it } from "@jest/globals";
import { getBackoffDelayMs } from "../../src/util/backoff-delay.js";

describe("getBackoffDelayMs", () => {
  it("takes the retry's entry and repeats the last", () => {
    const delays = [1000, 2000, 4000];
    expect([1, 2, 3, 4, 9].map((k) => getBackoffDelayMs(k, delays))).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(getBackoffDelayMs(1, [])).toBe(0);
    expect(getBackoffDelayMs(0, delays)).toBe(1000);
  });
});
