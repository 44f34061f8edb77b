import { describe, expect, it } from "@jest/globals";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { classifyFetchFailure, describeFetchError } from "../../src/util/describe-fetch-error.js";

/** The error a real fetch rejects with. */
async function failedFetch(url: string, init?: RequestInit): Promise<unknown> {
  try {
    await fetch(url, init);
  } catch (error) {
    return error;
  }
  throw new Error("fetch succeeded");
}

describe("classifyFetchFailure", () => {
  it("finds the socket error fetch hides in its cause", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await failedFetch(`http://127.0.0.1:${port}/`);
    expect(classifyFetchFailure(error)).toEqual({ kind: "network", reason: "ECONNREFUSED", code: "ECONNREFUSED" });
    expect(describeFetchError(error)).toBe("ECONNREFUSED");
  });

  it("tells a timeout from a cancel", async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(describeFetchError(await failedFetch(url, { signal: AbortSignal.timeout(20) }))).toBe("timeout");
      const cancel = new AbortController();
      const pending = failedFetch(url, { signal: cancel.signal });
      cancel.abort();
      expect(classifyFetchFailure(await pending)).toEqual({ kind: "aborted", reason: "aborted" });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("falls back to the message, then to String()", () => {
    expect(describeFetchError(new Error("HTTP 502"))).toBe("HTTP 502");
    expect(describeFetchError(new TypeError("fetch failed", { cause: new Error("other side hung up") }))).toBe("other side hung up");
    expect(describeFetchError("odd")).toBe("odd");
  });
});
