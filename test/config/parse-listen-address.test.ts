import { describe, expect, it } from "@jest/globals";
import { parseListenAddress } from "../../src/config/parse-listen-address.js";

describe("parseListenAddress", () => {
  it.each([
    ["127.0.0.1:9464", "127.0.0.1", 9464],
    ["9464", "127.0.0.1", 9464],
    ["localhost:0", "localhost", 0],
    ["[::1]:9464", "::1", 9464],
    ["0.0.0.0:80", "0.0.0.0", 80],
  ])("parses %s", (text, host, port) => {
    expect(parseListenAddress(text)).toEqual({ ok: true, value: { host, port } });
  });

  it.each(["localhost", ":9464", "host:99999", "host:port", "::1:9464", "[nothost]:1", "a b:1"])("refuses %s", (text) => {
    expect(parseListenAddress(text).ok).toBe(false);
  });
});
