import { CONFIG_SCHEMA } from "../config/config-schema.js";
import { listSchemaRows, renderSchemaTable, toCell, type SchemaNode } from "./render-schema-table.js";

/**
 * The configuration reference (docs/configuration.md): every key of `CONFIG_SCHEMA` with its type and description,
 * the top-level keys first, then one section per object or list of objects.
 */
export function renderConfigReference(schema: SchemaNode = CONFIG_SCHEMA as unknown as SchemaNode): string {
  const top = Object.entries(schema.properties ?? {});
  const out = ["### Top-level keys", "", renderSchemaTable(top.map(([key, node]) => ({ key, ...summarize(node) })))];
  for (const [key, node] of top) {
    const items = node.items?.properties ? node.items : null;
    if (!node.properties && !items) continue;
    const label = items ? `${key}[]` : key;
    out.push("", `### \`${label}\``, "");
    if (node.description) out.push(toCell(node.description), "");
    out.push(renderSchemaTable(listSchemaRows(items ?? node, label)));
  }
  return out.join("\n");
}

function summarize(node: SchemaNode): { type: string; required: boolean; description: string } {
  const [row] = listSchemaRows({ properties: { x: node } });
  return { type: row!.type, required: false, description: row!.description };
}
