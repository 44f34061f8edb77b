import { statSync } from "node:fs";

/** The `from` that the rules stage takes: a folder as a string, files as a list. */
export function toRuleSource(rulePaths: readonly string[]): string | readonly string[] {
  if (rulePaths.length === 1) {
    try {
      if (statSync(rulePaths[0]!).isDirectory()) return rulePaths[0]!;
    } catch {
      return rulePaths[0]!;
    }
  }
  return rulePaths;
}
