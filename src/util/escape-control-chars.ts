/**
 * Characters that change how the text around them is shown: C0/C1 controls (terminal escape sequences, a bare
 * CR that rewinds the line), bidirectional overrides and isolates (U+202E turns `gpj.exe` around), and the Unicode
 * line and paragraph separators (U+2028/U+2029 start a new line in many viewers). Newline and tab are left as
 * they are: messages that span lines do so on purpose.
 */
const DISPLAY_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes quoted log text inert on a screen: each display control becomes a visible escape (`\x1b`, `\u202e`).
 * Log lines are untrusted; what vigia shows of them (monitor.log, the console, Telegram) must not be able to
 * recolour a terminal, fake a line of its own, or reverse the text an operator reads.
 */
export function escapeControlChars(text: string): string {
  return text.replace(DISPLAY_CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
