/**
 * Where the status server listens. `status.listen` is parsed and validated once, by the config loader
 * (src/config/parse-listen-address.ts); this tells how a client on this machine reaches that address.
 */

export interface ListenAddress {
  host: string;
  port: number;
}

/** The URL a local client uses to reach a server bound to `listen` (a wildcard bind is reached on loopback). */
export function getStatusUrl(listen: ListenAddress, path = "/health"): string {
  const { host, port } = listen;
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}${path}`;
}
