import { renderCliReference, renderCliTable } from "./render-cli-reference.js";
import { renderConfigReference } from "./render-config-reference.js";
import { renderActionsReference, renderRuleKeysReference, renderVerificationsReference } from "./render-rule-reference.js";
import { replaceGeneratedRegion } from "./generated-regions.js";

/** Every generated region: the page (relative to the repository) and what renders it. */
export const GENERATED_REGIONS: ReadonlyArray<{ file: string; id: string; render: () => string }> = [
  { file: "README.md", id: "cli-table", render: renderCliTable },
  { file: "docs/cli.md", id: "cli-reference", render: renderCliReference },
  { file: "docs/configuration.md", id: "config-reference", render: renderConfigReference },
  { file: "docs/rules.md", id: "rule-keys", render: renderRuleKeysReference },
  { file: "docs/remediation.md", id: "actions", render: renderActionsReference },
  { file: "docs/remediation.md", id: "verifications", render: renderVerificationsReference },
];

/**
 * The pages as `npm run docs` writes them: each page's current text (read with `readPage`) with its generated
 * regions rendered afresh. Pages whose text would not change are included too, so a caller can compare.
 */
export function renderGeneratedPages(readPage: (file: string) => string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const region of GENERATED_REGIONS) {
    const text = pages.get(region.file) ?? readPage(region.file);
    pages.set(region.file, replaceGeneratedRegion(text, region.id, region.render()));
  }
  return pages;
}
