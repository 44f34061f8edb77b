/**
 * Markdown tables from the JSON Schemas (config, rules): one row per key, with its type, its bounds and the
 * schema's own `description`. The reference pages are rendered from these rows, so they say what ajv enforces.
 */

/** The subset of JSON Schema our schemas use. */
export interface SchemaNode {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  anyOf?: readonly SchemaNode[];
  /** Our tagged unions (actions, verifications): `if type is X then these keys`. */
  allOf?: readonly { then?: SchemaNode }[];
  items?: SchemaNode;
  properties?: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaNode;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}

export interface SchemaRow {
  /** Dotted path, `[]` for array items: `sources[].multiline.start`. */
  key: string;
  type: string;
  required: boolean;
  description: string;
}

/** The rows of `node`'s properties and of everything below them, depth first, in declaration order. */
export function listSchemaRows(node: SchemaNode, prefix = ""): SchemaRow[] {
  const rows: SchemaRow[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    rows.push({ key, type: describeType(child), required: node.required?.includes(name) ?? false, description: describeNode(child) });
    if (child.allOf || child.items?.allOf) continue;
    if (child.properties) rows.push(...listSchemaRows(child, key));
    else if (child.items?.properties) rows.push(...listSchemaRows(child.items, `${key}[]`));
  }
  return rows;
}

/** `integer ≥ 1`, `string \| null`, `"end" \| "beginning"`, `list of string`: the type as a reader needs it. */
function describeType(node: SchemaNode): string {
  if (node.allOf) return "object, by `type`";
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.anyOf) return node.anyOf.map(describeType).join(" | ");
  const types = node.type === undefined ? [] : typeof node.type === "string" ? [node.type] : [...node.type];
  const parts = types.map((t) => {
    if (t === "array") return node.items ? `list of ${node.items.allOf ? "objects, by `type`" : node.items.properties ? "objects" : describeType(node.items)}` : "list";
    if (t === "object") return node.additionalProperties && typeof node.additionalProperties === "object" ? "map of string" : "object";
    if (t === "integer" || t === "number") return `${t}${describeBounds(node)}`;
    if (t === "string" && node.pattern) return "string";
    return t;
  });
  return parts.length > 0 ? parts.join(" | ") : "object";
}

function describeBounds(node: SchemaNode): string {
  const bounds: string[] = [];
  if (node.exclusiveMinimum !== undefined) bounds.push(`> ${node.exclusiveMinimum}`);
  if (node.minimum !== undefined) bounds.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) bounds.push(`≤ ${node.maximum}`);
  return bounds.length > 0 ? ` ${bounds.join(", ")}` : "";
}

/** The description, with the `default` annotation appended when the text does not say it already. */
function describeNode(node: SchemaNode): string {
  const text = node.description ?? "";
  if (node.default === undefined || /\bDefault\b/.test(text)) return text;
  return `${text}${text && !/[.!?]$/.test(text) ? "." : ""} Default ${JSON.stringify(node.default)}.`.trim();
}

/** One Markdown table cell: pipes escaped, no line breaks. */
export function toCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** A Markdown table of rows; `required` marks required keys. */
export function renderSchemaTable(rows: readonly SchemaRow[]): string {
  const lines = ["| key | type | description |", "|---|---|---|"];
  for (const r of rows) lines.push(`| \`${r.key}\`${r.required ? " (required)" : ""} | ${toCell(r.type)} | ${toCell(r.description)} |`);
  return lines.join("\n");
}
