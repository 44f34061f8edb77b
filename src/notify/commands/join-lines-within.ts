/**
 * Joins the lines of a reply, keeping the first `head` lines always and as many of the others as fit in
 * `maxChars`; the cut ones are counted on a last line (`… y 12 más`). Lines must already be escaped HTML, each
 * whole in itself (no tag opened on one line and closed on another), so cutting between lines never breaks markup.
 */
export function joinLinesWithin(lines: readonly string[], maxChars: number, options: { head?: number } = {}): string {
  const head = options.head ?? 0;
  const reserve = 40; // room for the "… y N más" line
  const out: string[] = [];
  let length = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fits = length + 1 + line.length <= maxChars - (i === lines.length - 1 ? 0 : reserve);
    if (!fits && i >= head) {
      out.push(`… y ${lines.length - i} más`);
      break;
    }
    out.push(line);
    length += 1 + line.length;
  }
  return out.join("\n");
}
