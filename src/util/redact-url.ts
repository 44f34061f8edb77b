import { SECRET_MASK } from "./mask-secrets.js";

/** A Bot API method URL carries the bot token as a path segment: `/bot<id>:<secret>/getMe`. */
const BOT_TOKEN_SEGMENT = /\/bot\d+:[^/]+/g;

/**
 * A URL fit for an alert, a check's fields or the journal: credentials, query and fragment dropped (tokens live
 * there), and a bot token in the path masked (`/bot***`/getMe). Not a URL at all: `<invalid url>`.
 */
export function redactUrl(raw: string | URL): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "<invalid url>";
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(BOT_TOKEN_SEGMENT, `/bot${SECRET_MASK}`)}`;
}
