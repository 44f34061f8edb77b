import { statSync } from "node:fs";
import { listRuleFiles } from "./load-rules.js";
import { toRuleSource } from "./rule-source.js";

/** Names, sizes and mtimes of the rule files: tells whether they changed between two moments. */
export function readRuleFilesStamp(rulePaths: readonly string[]): string {
  const { files } = listRuleFiles(toRuleSource(rulePaths));
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${f}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${f}:-`;
      }
    })
    .join("|");
}
