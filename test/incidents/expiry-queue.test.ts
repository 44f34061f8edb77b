import { describe, expect, it } from "@jest/globals";
import { ExpiryQueue } from "../../src/incidents/expiry-queue.js";

describe("ExpiryQueue", () => {
  it("hands out what has expired, earliest first, whatever order it came in", () => {
    const queue = new ExpiryQueue<string>();
    let seed = 7;
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const t = seed % 10_000;
      times.push(t);
      queue.add(t, `item-${t}`);
    }
    expect(queue.hasExpired(-1)).toBe(false);
    const firstHalf = queue.takeExpired(4999);
    const rest = queue.takeExpired(Infinity);
    const sorted = [...times].sort((a, b) => a - b);
    expect([...firstHalf, ...rest]).toEqual(sorted.map((t) => `item-${t}`));
    expect(firstHalf.length).toBe(sorted.filter((t) => t <= 4999).length);
    expect(queue.size).toBe(0);
  });
});
