/** Rule files written on the fly for the rule tests. */
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

/** Writes `content` at `dir/name` (folders created) and returns the path. */
export function writeIn(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}
