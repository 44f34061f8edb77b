import { map, type OperatorFunction } from "rxjs";
import type { SourceLine } from "../types.js";

/**
 * Masks secrets in every line before anything matches it: a bot that logs its own token in a failed request URL
 * (or another bot's token, a Bearer header, a password in a URL) must not put it in the journal, the report,
 * an alert, the webhook or the dashboard, and all of those are built from the matched text. `maskText` returns
 * its argument unchanged when there is nothing to mask, so a clean batch passes through as the same array.
 */
export function maskLineSecrets(maskText: (text: string) => string): OperatorFunction<SourceLine[], SourceLine[]> {
  return map((lines) => {
    let out: SourceLine[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const masked = maskText(line.text);
      if (masked === line.text) continue;
      out ??= lines.slice();
      out[i] = { ...line, text: masked };
    }
    return out ?? lines;
  });
}
