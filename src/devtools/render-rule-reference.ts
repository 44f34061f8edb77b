import { ACTION_SCHEMA, RULE_SCHEMA, VERIFY_SCHEMA } from "../rules/rule-schema.js";
import { listSchemaRows, renderSchemaTable, toCell, type SchemaNode } from "./render-schema-table.js";

/** The rule keys (docs/rules.md): every key of `RULE_SCHEMA` with its type and description. */
export function renderRuleKeysReference(): string {
  return renderSchemaTable(listSchemaRows(RULE_SCHEMA as unknown as SchemaNode));
}

/** The action types (docs/remediation.md): one section each, its description and its options. */
export function renderActionsReference(): string {
  return renderTaggedUnion(ACTION_SCHEMA as unknown as SchemaNode, "action");
}

/** The verification types (docs/remediation.md): one section each, its description and its options. */
export function renderVerificationsReference(): string {
  return renderTaggedUnion(VERIFY_SCHEMA as unknown as SchemaNode, "verification");
}

/** One `####` section per `type` of a tagged union built by rule-schema.ts's `buildTaggedUnion`. */
function renderTaggedUnion(union: SchemaNode, what: string): string {
  const out: string[] = [];
  for (const branch of union.allOf ?? []) {
    const then = branch.then;
    const type = then?.properties?.["type"]?.const;
    if (!then || typeof type !== "string") throw new Error(`${what} schema: a branch without a constant type`);
    // Its own options first, then those every type shares (`timeout`).
    const own = Object.entries(then.properties ?? {}).filter(([k]) => k !== "type");
    const ordered = [...own.filter(([k]) => k !== "timeout"), ...own.filter(([k]) => k === "timeout")];
    const options = { ...then, properties: Object.fromEntries(ordered) };
    out.push(`#### \`${type}\``, "", toCell(then.description ?? ""), "");
    const rows = listSchemaRows(options);
    out.push(rows.length > 0 ? renderSchemaTable(rows) : "No options.", "");
  }
  return out.join("\n").trimEnd();
}
