import { existsSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The path itself when it exists, else its nearest existing ancestor: a file that could not be written does not
 * exist, but the folder it failed in tells which filesystem was full.
 */
export function findExistingAncestor(absolute: string): string {
  let current = absolute;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}
