#!/usr/bin/env node
// `npm run docs`: rewrites the generated parts of README.md and docs/*.md (configuration, rule, action and
// verification references from the ajv schemas; the command reference from src/cli/cli-spec.ts). With --check it
// writes nothing and exits 1 when a page is out of date. Runs the compiled code (dist/), built first when stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureBuild, REPO_ROOT } from "../bench/ensure-build.mjs";

const check = process.argv.includes("--check");
ensureBuild({ log: (m) => process.stderr.write(`generate-docs: ${m}\n`) });
const { renderGeneratedPages } = await import(pathToFileURL(join(REPO_ROOT, "dist", "devtools", "generate-docs.js")).href);
const pages = renderGeneratedPages((file) => readFileSync(join(REPO_ROOT, file), "utf8"));
let stale = 0;
for (const [file, text] of pages) {
  if (readFileSync(join(REPO_ROOT, file), "utf8") === text) continue;
  stale++;
  if (check) process.stderr.write(`generate-docs: ${file} is out of date (run npm run docs)\n`);
  else {
    writeFileSync(join(REPO_ROOT, file), text);
    process.stderr.write(`generate-docs: wrote ${file}\n`);
  }
}
if (stale === 0) process.stderr.write("generate-docs: every page is up to date\n");
process.exitCode = check && stale > 0 ? 1 : 0;
