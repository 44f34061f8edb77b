import { isIP } from "node:net";
import type { Parsed } from "./parse-env-value.js";

/**
 * Parses `status.listen`: `host:port`, `[v6]:port`, or a bare port. A bare port binds 127.0.0.1: the status
 * server is reachable from other machines only when the operator writes such an address himself.
 */
export function parseListenAddress(text: string): Parsed<{ host: string; port: number }> {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed);
  if (/^\d+$/.test(trimmed)) {
    host = "127.0.0.1";
    portText = trimmed;
  } else if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
    if (isIP(host) !== 6) return { ok: false, message: `expected an IPv6 address inside [], got ${JSON.stringify(host)}` };
  } else {
    const at = trimmed.lastIndexOf(":");
    host = trimmed.slice(0, at);
    portText = trimmed.slice(at + 1);
    if (at <= 0 || host.includes(":") || !/^[A-Za-z0-9.-]+$/.test(host)) {
      return { ok: false, message: `expected host:port like "127.0.0.1:9464", got ${JSON.stringify(text)}` };
    }
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65_535)) {
    return { ok: false, message: `expected a port from 0 to 65535, got ${JSON.stringify(portText)}` };
  }
  return { ok: true, value: { host, port } };
}

/** Shortest accepted `status.token`: long enough that guessing it over HTTP is hopeless. */
export const STATUS_TOKEN_MIN_LENGTH = 16;

/**
 * True when only this machine can reach `host`: 127.0.0.0/8, ::1 (also IPv4-mapped) or `localhost`. Anything else —
 * a wildcard, a LAN address, a name that DNS may point anywhere — is treated as reachable from other machines.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}
