import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { UnknownTemplate } from "./unknown-error-store.js";

/** `desconocidos.json` sits beside the journal, like the journal's archives. */
export function locateUnknownErrorsFile(journalPath: string): string {
  return join(dirname(journalPath), "desconocidos.json");
}

/**
 * The templates kept in a `desconocidos.json`: an empty list when the file does not exist yet (no unclaimed error
 * was seen), else the readable elements, or why the file cannot be read (a string).
 */
export function readUnknownTemplates(path: string): UnknownTemplate[] | string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    return `${path}: ${(error as Error).message}`;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) return `${path}: expected a JSON array`;
    return (parsed as UnknownTemplate[]).filter((t) => typeof t?.plantilla === "string" && Array.isArray(t.ejemplos));
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  }
}
