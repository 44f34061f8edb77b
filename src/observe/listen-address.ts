/**
 * `status.listen` values: `host:port`, `[v6]:port`, or a bare port (bound to 127.0.0.1). What to bind is the
 * config's decision; this only parses it, and tells how a client on this machine reaches it.
 */

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = "127.0.0.1:9464";

/** A `status.listen` value that is not `host:port`. */
export class ListenAddressError extends Error {
  constructor(readonly value: string, reason: string) {
    super(`status.listen: expected "host:port" (e.g. ${DEFAULT_LISTEN}), got ${JSON.stringify(value)}: ${reason}`);
    this.name = "ListenAddressError";
  }
}

/** Parses `host:port`; a bare port means 127.0.0.1 (loopback unless configured otherwise). */
export function parseListenAddress(value: string): ListenAddress {
  const text = value.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
  } else if (/^\d+$/.test(text)) {
    host = "127.0.0.1";
    portText = text;
  } else {
    const colon = text.lastIndexOf(":");
    if (colon <= 0) throw new ListenAddressError(value, "missing host or port");
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) throw new ListenAddressError(value, "write IPv6 hosts in brackets: [::1]:9464");
  }
  if (!/^\d+$/.test(portText)) throw new ListenAddressError(value, "port is not a number");
  const port = Number(portText);
  if (port > 65535) throw new ListenAddressError(value, "port above 65535");
  return { host, port };
}

/** The URL a local client uses to reach a server bound to `listen` (a wildcard bind is reached on loopback). */
export function getStatusUrl(listen: string | ListenAddress, path = "/health"): string {
  const { host, port } = typeof listen === "string" ? parseListenAddress(listen) : listen;
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}${path}`;
}
