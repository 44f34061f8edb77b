import { escapeControlChars } from "../util/escape-control-chars.js";

/** Telegram's limit for one message text, in UTF-16 code units after entity parsing. */
export const TELEGRAM_MAX_TEXT = 4096;

/**
 * Escapes text for Telegram's HTML parse mode (the four entities it understands), and makes display controls
 * (bidi overrides, U+2028, terminal escapes) from log lines visible instead of letting them reorder the message.
 */
export function escapeHtml(text: string): string {
  return escapeControlChars(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Escapes `raw` and cuts it so the escaped form is at most `maxChars` long, ending with "…" when cut. Cuts before
 * escaping, by code point, so neither an entity (`&amp;`) nor a surrogate pair (emoji) is ever split. The escaped
 * length bounds the visible length, so a message built this way always fits Telegram's limit.
 */
export function escapeHtmlCut(raw: string, maxChars: number): string {
  const full = escapeHtml(raw);
  if (full.length <= maxChars) return full;
  let out = "";
  for (const ch of raw) {
    const piece = escapeHtml(ch);
    if (out.length + piece.length > maxChars - 1) break;
    out += piece;
  }
  return `${out}…`;
}
