import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import type { ErrorObject } from "ajv";

/** One problem in a config or rule file, printed as `file:line: field: message`. */
export interface Problem {
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** Dotted path of the field (`rules[2].match`), or `-` for the whole file. */
  field: string;
  message: string;
}

/** The one printed form of a problem, used by `vigia check` and in logs. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

/** A parsed YAML or JSON document that can tell the line of any field path. */
export interface LocatedDocument {
  file: string;
  /** The plain JS value; undefined when the document could not be parsed. */
  value: unknown;
  /** Syntax errors (bad YAML/JSON, duplicate keys). */
  problems: Problem[];
  /** Line (1-based) of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: ReadonlyArray<string | number>): number;
}

/**
 * Parses YAML (and JSON, a subset of YAML) keeping positions, so validation errors can name a line.
 * Duplicate keys are errors, not silently last-wins.
 */
export function parseLocated(text: string, file: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: Problem[] = doc.errors.map((e) => ({
    file,
    line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
    field: "-",
    message: e.message.split("\n")[0]!,
  }));
  const lineOf = (path: ReadonlyArray<string | number>): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  let value: unknown;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({ file, line: 1, field: "-", message: (error as Error).message });
    }
  }
  return { file, value, problems, lineOf };
}

/** Splits an ajv instancePath (`/rules/0/match`) into path segments, array indexes as numbers. */
export function splitInstancePath(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `rules[0].match` from path segments. */
export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || "-";
}

/** Shows a value briefly in a message: what was got, never a whole object. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/**
 * Turns ajv errors into problems with lines: unknown keys name the key, missing keys name the object,
 * wrong values say what was expected and what was got.
 */
export function convertAjvErrors(errors: ErrorObject[] | null | undefined, doc: LocatedDocument): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = splitInstancePath(e.instancePath);
    let message: string;
    if (e.keyword === "additionalProperties") {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      path = [...path, key];
      message = `unknown key '${key}'`;
    } else if (e.keyword === "required") {
      const key = (e.params as { missingProperty: string }).missingProperty;
      message = `missing required key '${key}'`;
      path = [...path, key];
      const line = doc.lineOf(path.slice(0, -1));
      pushUnique(out, seen, { file: doc.file, line, field: formatFieldPath(path), message });
      continue;
    } else if (e.keyword === "enum") {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ");
      message = `expected one of ${allowed}, got ${describeValue(getAt(doc.value, path))}`;
    } else if (e.keyword === "type") {
      message = `expected ${(e.params as { type: string }).type}, got ${describeValue(getAt(doc.value, path))}`;
    } else if (e.keyword === "if" || e.keyword === "anyOf" || e.keyword === "oneOf") {
      continue; // the branch errors that follow say more
    } else {
      message = `${e.message ?? "invalid"}, got ${describeValue(getAt(doc.value, path))}`;
    }
    pushUnique(out, seen, { file: doc.file, line: doc.lineOf(path), field: formatFieldPath(path), message });
  }
  return out;
}

function pushUnique(out: Problem[], seen: Set<string>, p: Problem): void {
  const k = formatProblem(p);
  if (!seen.has(k)) {
    seen.add(k);
    out.push(p);
  }
}

function getAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
