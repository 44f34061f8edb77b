/**
 * The status server's one access rule: when `status.token` is set, every request carries it — scrapers and
 * scripts as `Authorization: Bearer <token>`, a browser as the cookie it got by opening `/?token=<token>` once.
 * The cookie is HttpOnly (page scripts never see it) and SameSite=Strict (another site cannot make the browser
 * send it), so the page, its assets and its event stream are covered without the token in any later URL.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const STATUS_COOKIE = "vigia_status";

export type StatusAccess =
  | { ok: true }
  /** The token came in the query: set the cookie and send the browser to the same URL without it. */
  | { ok: true; setCookie: string; redirectTo: string }
  | { ok: false };

/** Decides whether `req` may be answered; `url` is the request's parsed URL. */
export function authorizeStatusRequest(req: IncomingMessage, url: URL, token: string | null): StatusAccess {
  if (token === null) return { ok: true };
  const header = req.headers.authorization;
  const bearer = header && /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
  if (bearer && isSameSecret(bearer, token)) return { ok: true };
  const cookie = readCookie(req.headers.cookie, STATUS_COOKIE);
  if (cookie !== null && isSameSecret(cookie, token)) return { ok: true };
  const query = url.searchParams.get("token");
  if (query !== null && isSameSecret(query, token)) {
    const clean = new URL(url);
    clean.searchParams.delete("token");
    return {
      ok: true,
      setCookie: `${STATUS_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      redirectTo: `${clean.pathname}${clean.search}`,
    };
  }
  return { ok: false };
}

/** Compares in constant time (hashing first makes the lengths equal): no timing tells how much of a guess was right. */
function isSameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
