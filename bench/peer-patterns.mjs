// The six rules' `match` patterns translated for the peers: one POSIX ERE for `grep -Eic`, one Python regex with a
// failure-id group for `fail2ban-regex`. Translation only removes what the peer cannot express; what that changes
// in the counts is listed in describePeerDifferences() and checked against the generator's truth.

/** Skips a parenthesised group starting at `source[start] === "("`; returns the index after its `)`. */
function skipGroup(source, start) {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(") {
      depth++;
    } else if (c === ")" && --depth === 0) {
      return i + 1;
    }
  }
  return source.length;
}

const ERE_KEPT_ESCAPES = new Set([..."\\.[]()*+?{}|^$/"]);
const GNU_ESCAPES = new Set([..."sSwWbB"]);

/**
 * A JavaScript bracket class starting at `source[start] === "["` as a POSIX bracket expression, where a backslash
 * is literal: `]` must come first and `-` last. Returns [ere, index after the class].
 */
function convertClass(source, start) {
  let i = start + 1;
  const negated = source[i] === "^";
  if (negated) i++;
  let body = "";
  let bracket = false;
  let dash = false;
  for (; i < source.length && source[i] !== "]"; i++) {
    const c = source[i];
    if (c !== "\\") {
      body += c;
      continue;
    }
    const next = source[++i] ?? "";
    if (next === "n" || next === "r") continue; // grep sees one line at a time
    if (next === "]") bracket = true;
    else if (next === "-") dash = true;
    else if (next === "d") body += "0-9";
    else if (next === "s") body += "[:space:]";
    else if (next === "w") body += "[:alnum:]_";
    else body += next;
  }
  return [`[${negated ? "^" : ""}${bracket ? "]" : ""}${body}${dash ? "-" : ""}]`, i + 1];
}

/**
 * A JavaScript regex source as a GNU ERE: `(?:` and `(?<name>` become `(`, lookarounds are dropped (the ERE then
 * matches a superset), `\\d` becomes `[0-9]`, classes are rewritten for POSIX rules (no escapes inside).
 */
export function toEre(source) {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (next === "d") out += "[0-9]";
      else if (next === "D") out += "[^0-9]";
      else if (GNU_ESCAPES.has(next) || ERE_KEPT_ESCAPES.has(next)) out += `\\${next}`;
      else out += next;
    } else if (c === "[") {
      const [ere, end] = convertClass(source, i);
      out += ere;
      i = end - 1;
    } else if (c === "(" && source[i + 1] === "?") {
      const kind = source.slice(i + 2, i + 4);
      if (kind.startsWith(":")) {
        out += "(";
        i += 2;
      } else if (kind === "<=" || kind === "<!" || kind.startsWith("=") || kind.startsWith("!")) {
        i = skipGroup(source, i) - 1;
      } else if (kind.startsWith("<")) {
        out += "(";
        i = source.indexOf(">", i);
      } else {
        throw new Error(`toEre: unsupported group at ${i} in ${source}`);
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** A JavaScript regex source as Python `re`: named groups `(?<n>` become `(?P<n>`; the rest is shared syntax here. */
export function toPythonRe(source) {
  return splitLookbehinds(source).replace(/\(\?<([A-Za-z_]\w*)>/g, "(?P<$1>");
}

/**
 * Python's `re` wants each lookbehind of one width: `(?<!a|bc)` becomes `(?<!a)(?<!bc)` and `(?<=a|bc)` becomes
 * `(?:(?<=a)|(?<=bc))`, which mean the same. Lookbehinds with nested groups are left as they are.
 */
function splitLookbehinds(source) {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
      continue;
    }
    const kind = c === "(" ? source.slice(i + 1, i + 4) : "";
    if (kind !== "?<!" && kind !== "?<=") {
      out += c;
      continue;
    }
    const end = skipGroup(source, i);
    const body = source.slice(i + 4, end - 1);
    const alternatives = splitAlternatives(body);
    if (alternatives === null || alternatives.length < 2) {
      out += source.slice(i, end);
    } else if (kind === "?<!") {
      out += alternatives.map((a) => `(?<!${a})`).join("");
    } else {
      out += `(?:${alternatives.map((a) => `(?<=${a})`).join("|")})`;
    }
    i = end - 1;
  }
  return out;
}

/** The top-level alternatives of a group body without nested groups, or null when it has groups. */
function splitAlternatives(body) {
  const parts = [];
  let part = "";
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      part += c + (body[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
      part += c;
    } else if (c === "[") {
      inClass = true;
      part += c;
    } else if (c === "(") {
      return null;
    } else if (c === "|") {
      parts.push(part);
      part = "";
    } else {
      part += c;
    }
  }
  parts.push(part);
  return parts;
}

/** Removes named groups (`(?<n>x)` → `(?:x)`): two rules may capture the same name, which one regex cannot. */
function dropNames(source) {
  return source.replace(/\(\?<([A-Za-z_]\w*)>/g, "(?:");
}

/** `grep -Eic` pattern: the rules' `match` patterns as one ERE alternation. */
export function buildGrepPattern(rules) {
  return rules.map((r) => `(${toEre(r.match.source)})`).join("|");
}

/**
 * fail2ban-regex arguments: a failregex with the combined pattern as its failure id (fail2ban requires an id group;
 * no host is involved), and an ignoreregex with the exclusions common to every rule (DEBUG records) plus the
 * timeout rule's own (PTB's empty long poll): one regex cannot apply an exclusion to one alternative only.
 */
export function buildFail2banArgs(rules) {
  const failregex = `<F-ID>(?:${rules.map((r) => `(?:${toPythonRe(dropNames(r.match.source))})`).join("|")})</F-ID>`;
  const ignoreregex = "\\bDEBUG\\b|Timed out getting Updates";
  return { failregex, ignoreregex };
}

/**
 * The seed system's detection table ("Tipos de Errores Soportados"), verbatim: one broad pattern per error type,
 * matched case-insensitively as its Python monitor did. SEC runs these: it is what the seed's users would have
 * configured in SEC, and Perl handles these broad patterns at its best speed.
 */
export const SEED_PATTERNS = [
  ["timeout", "timeout|timed out|connection.*timeout"],
  ["permisos", "permission denied|chmod|chown"],
  ["corrupto", "corrupt|invalid.*file|broken.*video"],
  ["ruta_inexistente", "no such file|directory.*not found"],
  ["disco_lleno", "no space left|disk.*full"],
  ["servidor_caido", "connection refused|bot api.*down"],
];

/** SEC's rule file: one `Single` rule per seed pattern (first match wins: `continue` defaults to DontCont), writing its type to stdout. */
export function buildSecRules() {
  const blocks = SEED_PATTERNS.map(([id, pattern]) => ["type=Single", "ptype=RegExp", `pattern=(?i)${pattern}`, `desc=${id}`, `action=write - ${id}`].join("\n"));
  return `${blocks.join("\n\n")}\n`;
}

/**
 * What each tool counts, computed in JavaScript for one rendered record (its lines): `grepLines` (lines matching the
 * ERE case-insensitively: the lookahead dropped, no exclusions), `fail2banLines` (lines matching the exact pattern
 * and not the ignoreregex, each line alone), and the rule vigia should pick for the whole event (from `matcher`).
 */
export function createRecordJudge(rules, matcher) {
  const grep = new RegExp(rules.map((r) => `(?:${stripLookarounds(dropNames(r.match.source))})`).join("|"), "i");
  const f2b = new RegExp(rules.map((r) => `(?:${dropNames(r.match.source)})`).join("|"));
  const ignore = /\bDEBUG\b|Timed out getting Updates/;
  const seed = new RegExp(SEED_PATTERNS.map(([, p]) => `(?:${p})`).join("|"), "i");
  return (text) => {
    const lines = text.split("\n");
    let grepLines = 0;
    let fail2banLines = 0;
    let secLines = 0;
    for (const line of lines) {
      if (grep.test(line)) grepLines++;
      if (f2b.test(line) && !ignore.test(line)) fail2banLines++;
      if (seed.test(line)) secLines++;
    }
    const event = { source: "bot", file: "bench", fileId: "bench", text, lineCount: lines.length, offset: 0, endOffset: text.length + 1, readAtMs: 0 };
    const match = matcher(event);
    return { lines: lines.length, grepLines, fail2banLines, secLines, rule: match ? match.rule.id : null };
  };
}

/** The JavaScript twin of toEre's lookaround removal, for predicting grep's count. */
function stripLookarounds(source) {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
    } else if (c === "(" && /^\?(?:=|!|<=|<!)/.test(source.slice(i + 1, i + 4))) {
      i = skipGroup(source, i) - 1;
    } else {
      out += c;
    }
  }
  return out;
}
