/**
 * The generated parts of README.md and docs/*.md (configuration, rule, action and verification references from the
 * ajv schemas; the command reference from the CLI's table) are what `npm run docs` writes today: a schema or a flag
 * changed without regenerating the pages fails here, with the page named.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_REGIONS, renderGeneratedPages } from "../../src/devtools/generate-docs.js";
import { CONFIG_SCHEMA } from "../../src/config/config-schema.js";
import { ACTION_TYPES, RULE_SCHEMA, VERIFY_TYPES } from "../../src/rules/rule-schema.js";
import { CLI_COMMANDS } from "../../src/cli/cli-spec.js";
import { listSchemaRows, type SchemaNode } from "../../src/devtools/render-schema-table.js";
import { REPO } from "../cli/cli-harness.js";

const readPage = (file: string) => readFileSync(join(REPO, file), "utf8");

describe("generated docs", () => {
  const pages = renderGeneratedPages(readPage);

  it.each([...new Set(GENERATED_REGIONS.map((r) => r.file))].map((f) => [f]))("%s is up to date (npm run docs)", (file) => {
    const [committed, generated] = [readPage(file).split("\n"), pages.get(file)!.split("\n")];
    const at = committed.findIndex((line, i) => line !== generated[i]);
    if (at >= 0 || committed.length !== generated.length) {
      const line = at >= 0 ? at : Math.min(committed.length, generated.length);
      throw new Error(
        `${file} is out of date: run \`npm run docs\` and commit the result.\n` +
          `line ${line + 1}:\n  committed: ${committed[line] ?? "(end)"}\n  generated: ${generated[line] ?? "(end)"}`,
      );
    }
  });

  it("documents every config key, rule key, action and verification type and command, each with a description", () => {
    const all = [...pages.values()].join("\n");
    for (const [schema, prefix] of [[CONFIG_SCHEMA, ""], [RULE_SCHEMA, ""]] as const) {
      for (const row of listSchemaRows(schema as unknown as SchemaNode, prefix)) {
        expect(all).toContain(`\`${row.key}\``);
        if (row.description.trim() === "") throw new Error(`schema key ${row.key} has no description`);
      }
    }
    for (const t of [...ACTION_TYPES, ...VERIFY_TYPES]) expect(all).toContain(`#### \`${t}\``);
    for (const c of CLI_COMMANDS) expect(all).toContain(`### vigia ${c.name}`);
  });
});
