/** A regex source built from a template, with the names of its captures. */
export interface TemplateRegex {
  source: string;
  captures: string[];
}

const CAPTURE_NAMES: Record<string, string> = { "<PATH>": "path", "<VIDEO>": "video", "<MODELO>": "modelo" };

/** Each placeholder's regex: bounded character classes, no nested quantifiers (the ReDoS check still decides). */
function placeholderPattern(placeholder: string, quote: string | null): string {
  switch (placeholder) {
    case "<TS>":
      return String.raw`(?:\d{4}-\d{2}-\d{2}[ T])?\d{2}:\d{2}:\d{2}(?:[,.]\d+)?(?:Z|[+-]\d{2}:?\d{2})?`;
    case "<STR>":
      return String.raw`(?:'[^'\n]*'|"[^"\n]*")`;
    case "<PATH>":
      return quote ? `[^${quote}\\n]+` : String.raw`[\w./-]+`;
    case "<VIDEO>":
      return String.raw`[\w-]+\.\w+`;
    case "<MODELO>":
      return String.raw`[^\s'"]+`;
    case "<HEX>":
      return String.raw`(?:0x[0-9a-fA-F]+|[0-9a-f]{8,})`;
    case "<NUM>":
      return String.raw`\d+(?:[.,]\d+)*`;
    default:
      return String.raw`\S+`;
  }
}

const PLACEHOLDER = /<(?:TS|STR|PATH|VIDEO|MODELO|HEX|NUM|\*)>/g;

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, " +");
}

/** One masked line as a regex: literals escaped, spaces as ` +`, placeholders as patterns or named captures. */
function buildLinePattern(line: string, captures: string[]): string {
  let out = "";
  let last = 0;
  for (const m of line.matchAll(PLACEHOLDER)) {
    out += escapeLiteral(line.slice(last, m.index));
    const before = line[m.index - 1];
    const quote = before === "'" || before === '"' ? before : null;
    const pattern = placeholderPattern(m[0], quote);
    const base = CAPTURE_NAMES[m[0]];
    if (base) {
      let name = base;
      for (let n = 2; captures.includes(name); n++) name = `${base}${n}`;
      captures.push(name);
      out += `(?<${name}>${pattern})`;
    } else {
      out += pattern;
    }
    last = m.index + m[0].length;
  }
  return out + escapeLiteral(line.slice(last));
}

/**
 * The anchored regex of a template: its one line (`^…\s*$`), or for a traceback's template its first line and,
 * after any frames, its last line (`^first\n…\nlast\s*$`).
 */
export function buildTemplateRegex(plantilla: string): TemplateRegex {
  const captures: string[] = [];
  const lines = plantilla.split("\n").map((l) => buildLinePattern(l, captures));
  const source = lines.length === 1 ? `^${lines[0]} *$` : `^${lines[0]} *\\n[\\s\\S]*\\n${lines[lines.length - 1]} *$`;
  return { source, captures };
}

/** The first line only: the fallback when the traceback's form is refused by the ReDoS check. */
export function buildFirstLineRegex(plantilla: string): TemplateRegex {
  const captures: string[] = [];
  const first = buildLinePattern(plantilla.split("\n")[0] ?? "", captures);
  return { source: `^${first} *(?:\\n|$)`, captures };
}

/** A rule id from the template's words (the exception line for a traceback): `valueerror_cuota_de_telegram_agotada`. */
export function proposeRuleId(plantilla: string, taken: ReadonlySet<string>): string {
  const lines = plantilla.split("\n");
  const line = lines[lines.length - 1] ?? "";
  const message = line.split(/\b(?:ERROR|CRITICAL)\b\s*-?\s*/).at(-1) ?? line;
  const words = message
    .replace(PLACEHOLDER, " ")
    .replace(/['’]/g, "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => /[a-z]/.test(w));
  let id = words.slice(0, 5).join("_").slice(0, 48).replace(/_+$/, "");
  if (!/^[a-z]/.test(id)) id = `error_${id}`.replace(/_+$/, "");
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  return unique;
}
